import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { graphqlEndpoint, graphqlHeaders } from '../graphql/endpoint';

/**
 * GraphiQL's fetcher, sending what the portal sends (see ../graphql/endpoint.ts): POST with JSON,
 * the CSRF header and the same-origin session cookie. Incremental delivery stays off because the
 * server answers one JSON document per request; its multipart Accept header would only confuse
 * the server's transport choice.
 */
export function createExplorerFetcher(fetchFn: typeof fetch = globalThis.fetch.bind(globalThis)): Fetcher {
  return createGraphiQLFetcher({
    url: graphqlEndpoint,
    headers: { ...graphqlHeaders },
    enableIncrementalDelivery: false,
    fetch: (input, init) => fetchFn(input, { ...init, credentials: 'same-origin' }),
  });
}
