// Routing: wouter (about 2 KB gzipped) rather than react-router (over 20 KB): the portal needs
// paths, parameters, links and a fallback, not loaders or actions, since data comes from urql.
// Every page but the frame is its own chunk (React.lazy), so the first load is the shell: the top
// bar, the session and the router.
import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { Redirect, Route, Switch, useLocation, useSearch } from 'wouter';
import { landingPath } from './access/access';
import { AccountLayout } from './app/AccountLayout';
import { TopBar } from './app/TopBar';
import { ErrorBoundary } from './components/ErrorBoundary';
import { ProblemCallout } from './components/Problem';
import { Loading } from './components/States';
import { NotFoundPage } from './pages/NotFoundPage';
import { useSession } from './session/Session';
import type { SignedInViewer } from './session/viewer';
import { portalMessages } from './i18n/portal';

const HomePage = lazy(() => import('./pages/HomePage'));
const SignInPage = lazy(() => import('./pages/SignInPage'));
const AcceptInvitationPage = lazy(() => import('./pages/AcceptInvitationPage'));
const PartnerPage = lazy(() => import('./pages/PartnerPage'));
const SupplierPage = lazy(() => import('./procurement/SupplierPage'));
const ConsolePage = lazy(() => import('./console/ConsolePage'));

export function App() {
  const [location] = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After a navigation, focus goes to the new page (not the link left behind), as it would after
  // a full page load; the first load leaves focus where the browser puts it.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [location]);

  return (
    <>
      <a className="skip-link" href="#main">
        {portalMessages.shell.skip}
      </a>
      <TopBar />
      <main id="main" ref={main} className="page" tabIndex={-1}>
        <ErrorBoundary resetKey={location}>
          <Suspense fallback={<Loading />}>
            <Switch>
              <Route path="/">
                <Home />
              </Route>
              <Route path="/sign-in" component={SignInPage} />
              <Route path="/accept-invitation" component={AcceptInvitationPage} />
              <Route path="/console">
                <SignedIn>{(viewer) => <ConsolePage viewer={viewer} />}</SignedIn>
              </Route>
              <Route path="/partner">
                <SignedIn>{(viewer) => <PartnerPage viewer={viewer} />}</SignedIn>
              </Route>
              <Route path="/supplier">
                <SignedIn>{(viewer) => <SupplierPage viewer={viewer} />}</SignedIn>
              </Route>
              <Route path="/accounts/:accountId/*?">
                {(params) => (
                  <SignedIn>
                    {(viewer) => <AccountLayout key={params.accountId} accountId={params.accountId} viewer={viewer} />}
                  </SignedIn>
                )}
              </Route>
              <Route component={NotFoundPage} />
            </Switch>
          </Suspense>
        </ErrorBoundary>
      </main>
    </>
  );
}

/**
 * Shows its content to a signed-in viewer; sends anyone else to the sign-in page, which brings
 * them back here afterwards.
 */
function SignedIn({ children }: { children: (viewer: SignedInViewer) => ReactNode }) {
  const { state, retry, refreshing } = useSession();
  const [location] = useLocation();
  const search = useSearch();
  switch (state.kind) {
    case 'loading':
      return <Loading label={portalMessages.shell.loadingSession} />;
    case 'problem':
      return <ProblemCallout problem={state.problem} onRetry={retry} retrying={refreshing} />;
    case 'signed-out': {
      const next = location + (search ? `?${search}` : '');
      return <Redirect to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
    }
    case 'signed-in':
      return <>{children(state.viewer)}</>;
  }
}

/** `/`: the viewer's first account or workspace once signed in; a welcome page before. */
function Home() {
  const { state, staffAccounts, retry, refreshing } = useSession();
  if (state.kind === 'signed-in') {
    if (staffAccounts.fetching) {
      return <Loading label={portalMessages.shell.loadingAccounts} />;
    }
    if (staffAccounts.problem && state.viewer.memberships.length === 0) {
      return <ProblemCallout problem={staffAccounts.problem} onRetry={retry} retrying={refreshing} />;
    }
    const landing = landingPath(state.viewer, staffAccounts.accounts);
    if (landing) {
      return <Redirect to={landing} replace />;
    }
  }
  return <HomePage />;
}
