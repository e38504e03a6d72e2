// What every GraphQL request from the browser shares, whether it comes from the portal (urql) or
// from the API explorer (GraphiQL's fetcher).

/** The same-origin GraphQL endpoint: the Tradehub binary serves it beside these pages. */
export const graphqlEndpoint = '/graphql';

/**
 * Headers for every request. The server accepts a cookie-authenticated request only if a
 * cross-site HTML form could not have sent it: a POST with a JSON body, or one carrying
 * X-Tradehub-CSRF. We send both, so a proxy that rewrites one still leaves the other.
 *
 * Accept leaves out text/event-stream and multipart/mixed: gqlgen's SSE transport claims any POST
 * whose Accept mentions text/event-stream, and a query or mutation wants one JSON response.
 *
 * Names are lower case, as urql and GraphiQL write theirs: both merge headers as plain object
 * keys, and `Content-Type` beside their `content-type` would go out as
 * "application/json, application/json".
 */
export const graphqlHeaders: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  accept: 'application/graphql-response+json, application/json;q=0.9',
  'x-tradehub-csrf': '1',
};
