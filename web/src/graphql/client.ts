import { Client, cacheExchange, fetchExchange, mapExchange } from '@urql/core';
import { graphqlEndpoint, graphqlHeaders } from './endpoint';
import { errorCode } from './errors';

export interface ClientOptions {
  /** Told when the API answers UNAUTHENTICATED: the session ended (expired, revoked elsewhere). */
  onUnauthenticated?: () => void;
}

/**
 * Builds the portal's urql client. Requests are always POSTs: urql would otherwise send short
 * queries as GET, which the server's CSRF rule refuses for cookie sessions. `fetch` is a
 * parameter so that tests can see exactly what goes on the wire.
 *
 * The session owns one client at a time and replaces it on sign-in and sign-out, so that no
 * cached answer of one person is ever shown to the next.
 */
export function createGraphQLClient(
  fetchFn: typeof fetch = globalThis.fetch.bind(globalThis),
  options: ClientOptions = {},
): Client {
  const { onUnauthenticated } = options;
  return new Client({
    url: graphqlEndpoint,
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          if (onUnauthenticated && errorCode(error) === 'UNAUTHENTICATED') {
            onUnauthenticated();
          }
        },
      }),
      fetchExchange,
    ],
    preferGetMethod: false,
    fetch: fetchFn,
    fetchOptions: {
      credentials: 'same-origin',
      headers: { ...graphqlHeaders },
    },
  });
}
