import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange, type Exchange } from '@urql/core';
import { createClient as createWebSocketClient } from 'graphql-ws';
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
      ...webSocketExchanges(),
    ],
    preferGetMethod: false,
    fetch: fetchFn,
    fetchOptions: {
      credentials: 'same-origin',
      headers: { ...graphqlHeaders },
    },
  });
}

/**
 * Subscriptions (shipmentUpdated, …) over WebSocket at the same `/graphql`, with the
 * graphql-transport-ws protocol; the upgrade request carries the session cookie. Lazy: the
 * socket opens with the first subscription and closes after the last. None outside a browser.
 */
function webSocketExchanges(): Exchange[] {
  if (typeof window === 'undefined' || typeof WebSocket === 'undefined') {
    return [];
  }
  const url = new URL(graphqlEndpoint, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = createWebSocketClient({ url: url.toString(), lazy: true, retryAttempts: 5 });
  return [
    subscriptionExchange({
      forwardSubscription(request) {
        const input = { ...request, query: request.query ?? '' };
        return {
          subscribe(sink) {
            const unsubscribe = ws.subscribe(input, sink);
            return { unsubscribe };
          },
        };
      },
    }),
  ];
}
