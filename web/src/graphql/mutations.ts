import type { OperationResult } from '@urql/core';
import type { UserErrorLike } from '../i18n/messages';
import { describeError, type Problem } from './errors';

/** How a mutation ended, from the point of view of the form that sent it. */
export type MutationOutcome<P> =
  | { kind: 'ok'; payload: P }
  /** The server refused it with userErrors (a business refusal or a bad input). */
  | { kind: 'refused'; errors: UserErrorLike[] }
  /** The request failed: network, HTTP or a top-level GraphQL error. */
  | { kind: 'failed'; problem: Problem };

/**
 * Sorts a mutation's result into ok, refused (userErrors) or failed. `pick` takes the payload out
 * of the data, e.g. `(d) => d.createApiKey`.
 */
export function mutationOutcome<D, P extends { userErrors: readonly UserErrorLike[] }>(
  result: Pick<OperationResult<D>, 'data' | 'error'>,
  pick: (data: D) => P | null | undefined,
): MutationOutcome<P> {
  if (result.error) {
    return { kind: 'failed', problem: describeError(result.error) };
  }
  const payload = result.data ? pick(result.data) : undefined;
  if (!payload) {
    return {
      kind: 'failed',
      problem: {
        title: 'The server gave no answer',
        detail: 'The request reached the server, but its answer held no result.',
        action: 'Reload the page to see whether the change was made, then try again if not.',
      },
    };
  }
  if (payload.userErrors.length > 0) {
    return { kind: 'refused', errors: [...payload.userErrors] };
  }
  return { kind: 'ok', payload };
}
