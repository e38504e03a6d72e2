import type { CombinedError } from '@urql/core';
import { portalMessages } from '../i18n/portal';

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
  const p = portalMessages.problems;
  if (error.networkError) {
    const status = error.response instanceof Response ? error.response.status : undefined;
    if (status === undefined) {
      return { title: p.unreachable, detail: p.unreachableDetail, action: p.unreachableAction };
    }
    return {
      title: p.http(status),
      detail: status >= 500 ? p.http5xx : p.http4xx,
      action: status >= 500 ? p.http5xxAction : p.http4xxAction,
      code: `HTTP ${status}`,
    };
  }

  const code = errorCode(error);
  const detail = error.graphQLErrors.map((e) => e.message).join(' ') || error.message;
  switch (code) {
    case 'UNAUTHENTICATED':
      return { title: p.signedOut, detail, action: p.signedOutAction, code };
    case 'FORBIDDEN':
      return {
        title: p.forbidden,
        detail,
        action: p.forbiddenAction,
        code,
      };
    case 'RATE_LIMITED':
      return {
        title: p.rateLimited,
        detail,
        action: p.rateLimitedAction,
        code,
      };
    case 'INTERNAL':
      return {
        title: p.internal,
        detail,
        action: p.internalAction,
        code,
      };
    default:
      return {
        title: p.failed,
        detail,
        action: p.failedAction,
        ...(code === undefined ? {} : { code }),
      };
  }
}
