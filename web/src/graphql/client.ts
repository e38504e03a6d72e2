import { Client, cacheExchange, fetchExchange } from '@urql/core';
import { graphqlEndpoint, graphqlHeaders } from './endpoint';

/**
 * Builds the portal's urql client. Requests are always POSTs: urql would otherwise send short
 * queries as GET, which the server's CSRF rule refuses for cookie sessions. `fetch` is a
 * parameter so that tests can see exactly what goes on the wire.
 */
export function createGraphQLClient(fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): Client {
  return new Client({
    url: graphqlEndpoint,
    exchanges: [cacheExchange, fetchExchange],
    preferGetMethod: false,
    fetch: fetchFn,
    fetchOptions: {
      credentials: 'same-origin',
      headers: { ...graphqlHeaders },
    },
  });
}
