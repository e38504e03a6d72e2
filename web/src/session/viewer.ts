import type { CombinedError } from '@urql/core';
import { graphql } from '../gql';
import type { SessionViewerQuery as SessionViewerData } from '../gql/graphql';
import { describeError, errorCode, type Problem } from '../graphql/errors';

/**
 * Who is using the portal, and everything the navigation needs to know about them. Asked once
 * per client; sign-in and sign-out replace the client, so it is asked again then.
 */
export const SessionViewerQuery = graphql(`
  query SessionViewer {
    viewer {
      authenticated
      user {
        id
        name
        email
      }
      memberships {
        role
        account {
          id
          legalName
          status
        }
      }
      staffRole
      partnerMembership {
        role
        partner {
          id
          name
        }
      }
      supplierId
      preferences {
        locale
        timeZone
      }
    }
  }
`);

export const UpdateMyPreferencesMutation = graphql(`
  mutation UpdateMyPreferences($input: UpdateMyPreferencesInput!) {
    updateMyPreferences(input: $input) {
      preferences {
        locale
        timeZone
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** For staff: the accounts they can act for (an account manager's book; all for platform admins). */
export const StaffAccountsQuery = graphql(`
  query StaffAccounts {
    accounts(first: 100) {
      nodes {
        id
        legalName
        status
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    logout {
      sessionsEnded
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export type Viewer = SessionViewerData['viewer'];
export type SignedInViewer = Viewer & { user: NonNullable<Viewer['user']> };

/** What the viewer query says about the session. */
export type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'signed-in'; viewer: SignedInViewer }
  | { kind: 'problem'; problem: Problem };

/** The parts of an urql query result the session depends on. */
export interface ViewerResult {
  data?: SessionViewerData | undefined;
  error?: CombinedError | undefined;
}

export function sessionState(result: ViewerResult): SessionState {
  if (result.data?.viewer) {
    const viewer = result.data.viewer;
    if (viewer.authenticated && viewer.user) {
      return { kind: 'signed-in', viewer: viewer as SignedInViewer };
    }
    return { kind: 'signed-out' };
  }
  if (result.error) {
    // UNAUTHENTICATED is an answer, not a failure: the API saw no valid session.
    if (errorCode(result.error) === 'UNAUTHENTICATED') {
      return { kind: 'signed-out' };
    }
    return { kind: 'problem', problem: describeError(result.error) };
  }
  return { kind: 'loading' };
}
