import { gql, type CombinedError } from '@urql/core';
import { describeError, errorCode, type Problem } from './errors';

export interface ViewerData {
  viewer: { __typename: string } | null;
}

/**
 * Who is using the portal. Until accounts exist the server knows no users, so the viewer is
 * always anonymous; the query still proves the whole path (page, session cookie, CSRF headers,
 * GraphQL endpoint) works.
 */
export const viewerQuery = gql<ViewerData, Record<string, never>>`
  query HomeViewer {
    viewer {
      __typename
    }
  }
`;

/** What the Home page shows for the viewer query. */
export type ViewerState =
  | { kind: 'loading' }
  /** The API answered and nobody is signed in; `typename` is what it returned, if anything. */
  | { kind: 'signed-out'; typename: string | null }
  | { kind: 'problem'; problem: Problem };

/** The parts of an urql query result the Home page depends on. */
export interface ViewerResult {
  data?: ViewerData | undefined;
  error?: CombinedError | undefined;
}

export function viewerState(result: ViewerResult): ViewerState {
  if (result.error) {
    // UNAUTHENTICATED is an answer, not a failure: the API saw no session.
    if (errorCode(result.error) === 'UNAUTHENTICATED') {
      return { kind: 'signed-out', typename: null };
    }
    return { kind: 'problem', problem: describeError(result.error) };
  }
  if (result.data) {
    return { kind: 'signed-out', typename: result.data.viewer?.__typename ?? null };
  }
  return { kind: 'loading' };
}
