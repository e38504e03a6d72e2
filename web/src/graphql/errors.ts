import type { CombinedError } from '@urql/core';

/**
 * The error codes the API puts in a top-level error's `extensions.code` (see
 * shared/ARCHITECTURE.md, "GraphQL conventions").
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'RATE_LIMITED'
  | 'INTERNAL';

const errorCodes: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'INTERNAL',
]);

/** A failed request told to a person: what happened and what they can do about it. */
export interface Problem {
  title: string;
  detail: string;
  action: string;
  /** The API's error code, or `HTTP <status>` when the request failed before GraphQL answered. */
  code?: string;
}

/** The first known `extensions.code` among the GraphQL errors, if any. */
export function errorCode(error: CombinedError): ErrorCode | undefined {
  for (const e of error.graphQLErrors) {
    const code = e.extensions['code'];
    if (typeof code === 'string' && errorCodes.has(code)) {
      return code as ErrorCode;
    }
  }
  return undefined;
}

/**
 * Turns an urql error into a Problem. Messages the server wrote for people (GraphQL errors) are
 * shown as they are; transport failures get a fixed text, since the browser's own message
 * ("Failed to fetch") tells a person nothing.
 */
export function describeError(error: CombinedError): Problem {
  if (error.networkError) {
    const status = error.response instanceof Response ? error.response.status : undefined;
    if (status === undefined) {
      return {
        title: 'The Tradehub API cannot be reached',
        detail: 'The request to /graphql got no answer: the server may be stopped or the network down.',
        action: 'Check that the Tradehub server is running and reachable, then retry.',
      };
    }
    return {
      title: `The Tradehub API answered HTTP ${status}`,
      detail: status >= 500
        ? 'The server or a proxy in front of it failed to handle the request.'
        : 'The request was refused before it reached the GraphQL layer.',
      action: status >= 500
        ? 'Retry in a moment; if it keeps failing, check the server log.'
        : 'Reload the page; if it keeps failing, tell your platform admin.',
      code: `HTTP ${status}`,
    };
  }

  const code = errorCode(error);
  const detail = error.graphQLErrors.map((e) => e.message).join(' ') || error.message;
  switch (code) {
    case 'UNAUTHENTICATED':
      return { title: 'You are signed out', detail, action: 'Sign in to continue.', code };
    case 'FORBIDDEN':
      return {
        title: 'You may not see this',
        detail,
        action: 'Ask an admin of your account for access.',
        code,
      };
    case 'RATE_LIMITED':
      return {
        title: 'Too many requests',
        detail,
        action: 'Wait a few seconds, then retry.',
        code,
      };
    case 'INTERNAL':
      return {
        title: 'The server failed',
        detail,
        action: 'Retry; if it keeps failing, tell your platform admin the time it happened.',
        code,
      };
    default:
      return {
        title: 'The request failed',
        detail,
        action: 'Retry; if it keeps failing, tell your platform admin.',
        ...(code === undefined ? {} : { code }),
      };
  }
}
