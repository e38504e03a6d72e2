import { describe, expect, it } from 'vitest';
import { createExplorerFetcher } from './fetcher';

describe('createExplorerFetcher', () => {
  it('sends what the portal sends: POST, JSON, CSRF header, same-origin session', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetcher = createExplorerFetcher(async (input, init = {}) => {
      calls.push({ url: String(input), init });
      return new Response(JSON.stringify({ data: { viewer: { __typename: 'Viewer' } } }), {
        headers: { 'Content-Type': 'application/json' },
      });
    });

    const result = await fetcher({ query: '{ viewer { __typename } }' });

    expect(result).toEqual({ data: { viewer: { __typename: 'Viewer' } } });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('/graphql');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.credentials).toBe('same-origin');
    const headers = new Headers(call?.init.headers);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('x-tradehub-csrf')).toBe('1');
    expect(headers.get('accept')).not.toMatch(/multipart|event-stream/);
  });
});
