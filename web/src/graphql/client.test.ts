import { describe, expect, it } from 'vitest';
import { createGraphQLClient } from './client';
import { viewerQuery, viewerState, type ViewerState } from './viewer';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records each request and answers with `respond()`. */
function recordingFetch(respond: () => Response | Promise<Response>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchFn: typeof fetch = async (input, init = {}) => {
    calls.push({ url: String(input), init });
    return respond();
  };
  return { fetch: fetchFn, calls };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

async function runViewerQuery(respond: () => Response | Promise<Response>) {
  const { fetch, calls } = recordingFetch(respond);
  const result = await createGraphQLClient(fetch).query(viewerQuery, {}).toPromise();
  return { result, calls };
}

describe('createGraphQLClient', () => {
  it('POSTs JSON with the CSRF header and the same-origin session', async () => {
    const { calls } = await runViewerQuery(() => json({ data: { viewer: { __typename: 'Viewer' } } }));

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('/graphql');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.credentials).toBe('same-origin');
    const headers = new Headers(call?.init.headers);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('x-tradehub-csrf')).toBe('1');
    // No text/event-stream: gqlgen would pick its SSE transport for a plain query.
    expect(headers.get('accept')).not.toContain('text/event-stream');
    const body: unknown = JSON.parse(String(call?.init.body));
    expect(body).toMatchObject({ operationName: 'HomeViewer', variables: {} });
  });
});

describe('viewerState through the client', () => {
  // Texts written for people are checked where the case is about them; elsewhere any string.
  const anyText: string = expect.any(String);
  const cases: { name: string; respond: () => Response | Promise<Response>; want: ViewerState }[] = [
    {
      name: 'anonymous viewer is signed out',
      respond: () => json({ data: { viewer: { __typename: 'Viewer' } } }),
      want: { kind: 'signed-out', typename: 'Viewer' },
    },
    {
      name: 'null viewer is signed out',
      respond: () => json({ data: { viewer: null } }),
      want: { kind: 'signed-out', typename: null },
    },
    {
      name: 'UNAUTHENTICATED is signed out, not an error',
      respond: () =>
        json({ data: null, errors: [{ message: 'Sign in.', extensions: { code: 'UNAUTHENTICATED' } }] }),
      want: { kind: 'signed-out', typename: null },
    },
    {
      name: 'server unreachable',
      respond: () => Promise.reject(new TypeError('fetch failed')),
      want: {
        kind: 'problem',
        problem: { title: 'The Tradehub API cannot be reached', detail: anyText, action: anyText },
      },
    },
    {
      name: 'proxy answers 503 with HTML',
      respond: () =>
        new Response('<h1>Service Unavailable</h1>', {
          status: 503,
          headers: { 'Content-Type': 'text/html' },
        }),
      want: {
        kind: 'problem',
        problem: {
          title: 'The Tradehub API answered HTTP 503',
          detail: anyText,
          action: anyText,
          code: 'HTTP 503',
        },
      },
    },
    {
      name: 'rate limited',
      respond: () =>
        json({
          data: null,
          errors: [{ message: 'Query cost exceeds your budget.', extensions: { code: 'RATE_LIMITED' } }],
        }),
      want: {
        kind: 'problem',
        problem: {
          title: 'Too many requests',
          detail: 'Query cost exceeds your budget.',
          action: 'Wait a few seconds, then retry.',
          code: 'RATE_LIMITED',
        },
      },
    },
    {
      name: 'a code the portal does not know is left out',
      respond: () =>
        json({
          data: null,
          errors: [
            { message: 'Cannot query field "viewer".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          ],
        }),
      want: {
        kind: 'problem',
        problem: { title: 'The request failed', detail: 'Cannot query field "viewer".', action: anyText },
      },
    },
  ];

  for (const tc of cases) {
    it(tc.name, async () => {
      const { result } = await runViewerQuery(tc.respond);
      expect(viewerState(result)).toEqual(tc.want);
    });
  }
});
