import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider, useClient, useQuery } from 'urql';
import { useLocation } from 'wouter';
import type { AccountSummary } from '../access/access';
import { createGraphQLClient } from '../graphql/client';
import { describeError, type Problem } from '../graphql/errors';
import { isLocale, setPersonTimeZone, setLocale, storedLocale, storeLocale, type Locale } from '../i18n/locale';
import {
  sessionState,
  SignOutMutation,
  StaffAccountsQuery,
  SessionViewerQuery,
  UpdateMyPreferencesMutation,
  type SessionState,
} from './viewer';

/** The staff's accounts for the switcher; empty for everyone else. */
export interface StaffAccounts {
  fetching: boolean;
  accounts: AccountSummary[];
  /** More than the first 100 exist (platform admins): the switcher says so. */
  truncated: boolean;
  problem: Problem | null;
}

export interface Session {
  state: SessionState;
  staffAccounts: StaffAccounts;
  /** True while the viewer is being asked again (after a retry). */
  refreshing: boolean;
  retry: () => void;
  /**
   * Starts over with a new client and so an empty cache: after signing in, or accepting an
   * invitation, the viewer is asked again and nothing cached for the previous person remains.
   */
  restart: () => void;
  /** Ends the session on the server, goes to the sign-in page and starts over; returns the problem if that failed. */
  signOut: () => Promise<Problem | null>;
  /**
   * Shows the portal in another language: at once, remembered in this browser, and for a
   * signed-in person on their user too, so that it follows them to other browsers.
   */
  chooseLocale: (locale: Locale) => void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) {
    throw new Error('useSession outside <SessionRoot>');
  }
  return session;
}

/**
 * Owns the GraphQL client and the session: who is signed in, and for staff their accounts.
 * `fetchFn` is for tests.
 */
export function SessionRoot({ children, fetchFn }: { children: ReactNode; fetchFn?: typeof fetch }) {
  // Told by the client when any request comes back UNAUTHENTICATED (the session expired or was
  // revoked on another device); SessionProvider then asks for the viewer again.
  const onUnauthenticated = useRef<() => void>(() => {});
  const makeClient = useCallback(
    () => createGraphQLClient(fetchFn, { onUnauthenticated: () => onUnauthenticated.current() }),
    [fetchFn],
  );
  const [client, setClient] = useState(makeClient);
  const restart = useCallback(() => setClient(makeClient()), [makeClient]);

  return (
    <Provider value={client}>
      <SessionProvider restart={restart} onUnauthenticated={onUnauthenticated}>
        {children}
      </SessionProvider>
    </Provider>
  );
}

function SessionProvider({
  children,
  restart,
  onUnauthenticated,
}: {
  children: ReactNode;
  restart: () => void;
  onUnauthenticated: { current: () => void };
}) {
  const client = useClient();
  const [, navigate] = useLocation();
  const [viewerResult, reexecuteViewer] = useQuery({ query: SessionViewerQuery });
  const state = useMemo(() => sessionState(viewerResult), [viewerResult]);
  const isStaff = state.kind === 'signed-in' && state.viewer.staffRole !== null;
  const [staffResult, reexecuteStaff] = useQuery({ query: StaffAccountsQuery, pause: !isStaff });

  useEffect(() => {
    onUnauthenticated.current = () => reexecuteViewer({ requestPolicy: 'network-only' });
  }, [onUnauthenticated, reexecuteViewer]);

  const staffAccounts = useMemo<StaffAccounts>(() => {
    if (!isStaff) {
      return { fetching: false, accounts: [], truncated: false, problem: null };
    }
    const connection = staffResult.data?.accounts;
    return {
      fetching: staffResult.fetching || (!connection && !staffResult.error),
      accounts: connection?.nodes ?? [],
      truncated: connection?.pageInfo.hasNextPage ?? false,
      problem: staffResult.error ? describeError(staffResult.error) : null,
    };
  }, [isStaff, staffResult]);

  const retry = useCallback(() => {
    reexecuteViewer({ requestPolicy: 'network-only' });
    if (isStaff) {
      reexecuteStaff({ requestPolicy: 'network-only' });
    }
  }, [reexecuteViewer, reexecuteStaff, isStaff]);

  const signOut = useCallback(async (): Promise<Problem | null> => {
    const result = await client.mutation(SignOutMutation, {}).toPromise();
    if (result.error) {
      return describeError(result.error);
    }
    // Leave the page first: on an account page the sign-in guard would otherwise offer to come
    // back to it, which is not what signing out means.
    navigate('/sign-in?signed-out=1');
    restart();
    return null;
  }, [client, navigate, restart]);

  const signedInPrefs = state.kind === 'signed-in' ? state.viewer.preferences : undefined;
  const signedIn = state.kind === 'signed-in';

  // The person's own zone, if they chose one, for pages outside an account (the account frame
  // sets the account's otherwise). Set during render so that the first paint already uses it.
  setPersonTimeZone(signedInPrefs?.timeZone ?? undefined);

  // Once signed in, the language saved on the user wins over this browser's; a choice made in
  // this browser before the person ever chose one is saved on the user.
  useEffect(() => {
    if (!signedInPrefs) {
      return;
    }
    if (isLocale(signedInPrefs.locale)) {
      storeLocale(signedInPrefs.locale);
      setLocale(signedInPrefs.locale);
      return;
    }
    const stored = storedLocale();
    if (stored) {
      void client.mutation(UpdateMyPreferencesMutation, { input: { locale: stored } }).toPromise();
    }
  }, [signedInPrefs, client]);

  const chooseLocale = useCallback(
    (locale: Locale) => {
      storeLocale(locale);
      setLocale(locale);
      if (signedIn) {
        // Failing to save is not worth interrupting anyone: this browser remembers it anyway.
        void client.mutation(UpdateMyPreferencesMutation, { input: { locale } }).toPromise();
      }
    },
    [client, signedIn],
  );

  const session = useMemo<Session>(
    () => ({
      state,
      staffAccounts,
      refreshing: viewerResult.fetching,
      retry,
      restart,
      signOut,
      chooseLocale,
    }),
    [state, viewerResult.fetching, staffAccounts, retry, restart, signOut, chooseLocale],
  );

  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
