import { describe, expect, it } from 'vitest';
import { canonicalJSON, idempotencyKeys, newIdempotencyKey } from './idempotency';

describe('newIdempotencyKey', () => {
  it('is printable ASCII the API accepts, and random', () => {
    const key = newIdempotencyKey();
    expect(key).toMatch(/^portal-[0-9a-f]{32}$/);
    expect(key.length).toBeLessThanOrEqual(100);
    expect(newIdempotencyKey()).not.toBe(key);
  });
  it('uses the bytes it is given', () => {
    expect(newIdempotencyKey((n) => new Uint8Array(n).fill(0xab))).toBe(`portal-${'ab'.repeat(16)}`);
  });
});

describe('canonicalJSON', () => {
  it('ignores the order of object keys, not of arrays', () => {
    expect(canonicalJSON({ b: 1, a: { d: [2, 1], c: null } })).toBe(canonicalJSON({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(canonicalJSON({ a: [1, 2] })).not.toBe(canonicalJSON({ a: [2, 1] }));
  });
});

describe('idempotencyKeys: one key per request', () => {
  let n = 0;
  const counter = () => `key-${++n}`;
  const order = { accountId: 'acct_1', warehouseId: 'whs_1', lines: [{ skuId: 'sku_1', quantity: 2 }] };

  it('a double click or a retry sends the same key', () => {
    const keys = idempotencyKeys(counter);
    const first = keys.keyFor(order);
    expect(keys.keyFor(order)).toBe(first);
    // The same request built again, its fields in another order (a re-render): still the same.
    expect(keys.keyFor({ lines: [{ quantity: 2, skuId: 'sku_1' }], warehouseId: 'whs_1', accountId: 'acct_1' })).toBe(first);
  });

  it('a changed request gets a new key (the old one would be IDEMPOTENCY_KEY_REUSED)', () => {
    const keys = idempotencyKeys(counter);
    const first = keys.keyFor(order);
    const changed = keys.keyFor({ ...order, lines: [{ skuId: 'sku_1', quantity: 3 }] });
    expect(changed).not.toBe(first);
    // Going back to the first request is a new request too: the server saw the changed one last.
    expect(keys.keyFor(order)).not.toBe(first);
  });

  it('after an order was created, the same content is a new order', () => {
    const keys = idempotencyKeys(counter);
    const first = keys.keyFor(order);
    keys.reset();
    expect(keys.keyFor(order)).not.toBe(first);
  });

  it('two forms never share a key', () => {
    expect(idempotencyKeys().keyFor(order)).not.toBe(idempotencyKeys().keyFor(order));
  });
});
