// Idempotency keys for creating orders. The API replays the first result for a key it has seen
// with the same request, and refuses the key with another request (IDEMPOTENCY_KEY_REUSED). So a
// form keeps one key per request it sends: a double click, a retry after a timeout or a dropped
// connection sends the same request with the same key and can never make a second order; a
// changed request (after fixing a refused line) gets a new key.

/** A random key the API accepts (printable ASCII, at most 100): `portal-` and 32 hex digits. */
export function newIdempotencyKey(
  random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  // getRandomValues rather than randomUUID: it exists outside secure contexts too (a portal
  // served over plain http on a LAN address).
  const bytes = random(16);
  return `portal-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * JSON with object keys sorted, so that two requests with the same content give the same text
 * whatever order their fields were set in.
 */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** The key of one form: the same while its request stays the same. */
export interface IdempotencyKeys {
  /** The key for this request: the previous one if the request is unchanged, else a new one. */
  keyFor(request: unknown): string;
  /** Forgets the key (after the order was created, the next request is a new order). */
  reset(): void;
}

export function idempotencyKeys(make: () => string = newIdempotencyKey): IdempotencyKeys {
  let last: { request: string; key: string } | null = null;
  return {
    keyFor(request) {
      const text = canonicalJSON(request);
      if (last?.request !== text) {
        last = { request: text, key: make() };
      }
      return last.key;
    },
    reset() {
      last = null;
    },
  };
}
