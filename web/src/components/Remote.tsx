import type { CombinedError } from '@urql/core';
import type { ReactNode } from 'react';
import { describeError, errorCode } from '../graphql/errors';
import { ProblemCallout } from './Problem';
import { Loading, NoAccess } from './States';

/**
 * The four states of a page's data, told the same way everywhere: the data; "You don't have
 * access" when the server answers NOT_FOUND or FORBIDDEN (or null: it does not say which, so that
 * nobody learns what exists); a failure with what to do and a retry; loading.
 */
export function Remote<T>({
  value,
  result,
  what,
  onRetry,
  loadingLabel,
  children,
}: {
  /** The part of the data the page shows, e.g. `result.data?.account`. */
  value: T | null | undefined;
  result: { data?: unknown; error?: CombinedError | undefined; fetching: boolean };
  /** What the page shows, for the no-access text: "The team of this account". */
  what: string;
  onRetry: () => void;
  loadingLabel?: string;
  children: (value: T) => ReactNode;
}) {
  if (value !== null && value !== undefined) {
    return <>{children(value)}</>;
  }
  if (result.error) {
    const code = errorCode(result.error);
    if (code === 'NOT_FOUND' || code === 'FORBIDDEN') {
      return <NoAccess what={what} />;
    }
    return <ProblemCallout problem={describeError(result.error)} onRetry={onRetry} retrying={result.fetching} />;
  }
  if (result.fetching || result.data === undefined) {
    return <Loading {...(loadingLabel ? { label: loadingLabel } : {})} />;
  }
  return <NoAccess what={what} />;
}
