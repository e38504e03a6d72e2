import { describe, expect, it } from 'vitest';
import { deltaParts, stockBuckets, sumBalances, type StockDeltaLike } from './stock';

const zero = Object.fromEntries(stockBuckets.map((b) => [b, 0])) as Record<(typeof stockBuckets)[number], number>;

describe('deltaParts', () => {
  it('a reservation moves units from available to reserved', () => {
    const delta: StockDeltaLike = { ...zero, available: -2, reserved: 2 };
    expect(deltaParts(delta)).toEqual([
      { bucket: 'reserved', change: 2 },
      { bucket: 'available', change: -2 },
    ]);
  });
  it('nothing for an all-zero delta', () => {
    expect(deltaParts(zero)).toEqual([]);
  });
});

describe('sumBalances', () => {
  it('adds bucket by bucket', () => {
    const a = { ...zero, onHand: 10, available: 8, reserved: 2 };
    const b = { ...zero, onHand: 5, available: 5, inTransferIn: 3 };
    expect(sumBalances([a, b])).toEqual({ ...zero, onHand: 15, available: 13, reserved: 2, inTransferIn: 3 });
    expect(sumBalances([])).toEqual(zero);
  });
});
