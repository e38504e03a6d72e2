import { describe, expect, it } from 'vitest';
import { createGraphQLClient } from './client';
import { SessionViewerQuery, sessionState, type SessionState } from '../session/viewer';

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

async function runViewerQuery(respond: () => Response | Promise<Response>, onUnauthenticated?: () => void) {
  const { fetch, calls } = recordingFetch(respond);
  const client = createGraphQLClient(fetch, onUnauthenticated ? { onUnauthenticated } : {});
  const result = await client.query(SessionViewerQuery, {}).toPromise();
  return { result, calls };
}

const anonymous = {
  authenticated: false,
  user: null,
  memberships: [],
  staffRole: null,
  partnerMembership: null,
  supplierId: null,
};

const owner = {
  authenticated: true,
  user: { id: 'usr_1', name: 'Wei Zhang', email: 'owner@brightlight.test' },
  memberships: [
    { role: 'OWNER', account: { id: 'acct_1', legalName: 'Shenzhen Brightlight', status: 'ACTIVE' } },
  ],
  staffRole: null,
  partnerMembership: null,
  supplierId: null,
};

describe('createGraphQLClient', () => {
  it('POSTs JSON with the CSRF header and the same-origin session', async () => {
    const { calls } = await runViewerQuery(() => json({ data: { viewer: anonymous } }));

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
    expect(body).toMatchObject({ operationName: 'SessionViewer', variables: {} });
  });

  it('tells the session when the API answers UNAUTHENTICATED, and only then', async () => {
    let told = 0;
    await runViewerQuery(
      () => json({ data: null, errors: [{ message: 'Sign in.', extensions: { code: 'UNAUTHENTICATED' } }] }),
      () => told++,
    );
    expect(told).toBe(1);
    await runViewerQuery(
      () => json({ data: null, errors: [{ message: 'No.', extensions: { code: 'FORBIDDEN' } }] }),
      () => told++,
    );
    await runViewerQuery(() => json({ data: { viewer: anonymous } }), () => told++);
    expect(told).toBe(1);
  });
});

describe('sessionState through the client', () => {
  // Texts written for people are checked where the case is about them; elsewhere any string.
  const anyText: string = expect.any(String);
  const cases: { name: string; respond: () => Response | Promise<Response>; want: SessionState }[] = [
    {
      name: 'anonymous viewer is signed out',
      respond: () => json({ data: { viewer: anonymous } }),
      want: { kind: 'signed-out' },
    },
    {
      name: 'authenticated viewer is signed in',
      respond: () => json({ data: { viewer: owner } }),
      want: { kind: 'signed-in', viewer: owner as unknown as Extract<SessionState, { kind: 'signed-in' }>['viewer'] },
    },
    {
      name: 'authenticated without a user (an API key without its creator) is signed out of the portal',
      respond: () => json({ data: { viewer: { ...owner, user: null } } }),
      want: { kind: 'signed-out' },
    },
    {
      name: 'UNAUTHENTICATED is signed out, not an error',
      respond: () =>
        json({ data: null, errors: [{ message: 'Sign in.', extensions: { code: 'UNAUTHENTICATED' } }] }),
      want: { kind: 'signed-out' },
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
      expect(sessionState(result)).toEqual(tc.want);
    });
  }
});
