import { describe, expect, it } from 'vitest';
import { discrepancies, goodUnits, showsDiscrepancy } from './receipts';

describe('showsDiscrepancy', () => {
  it('only once the goods were received', () => {
    expect(showsDiscrepancy({ status: 'EXPECTED', hasDiscrepancy: true })).toBe(false);
    expect(showsDiscrepancy({ status: 'RECEIVED', hasDiscrepancy: true })).toBe(true);
    expect(showsDiscrepancy({ status: 'PUT_AWAY', hasDiscrepancy: true })).toBe(true);
    expect(showsDiscrepancy({ status: 'PUT_AWAY', hasDiscrepancy: false })).toBe(false);
    expect(showsDiscrepancy({ status: 'CANCELLED', hasDiscrepancy: true })).toBe(false);
  });
});

describe('discrepancies', () => {
  const line = (code: string, expected: number, received: number, damaged: number) => ({
    sku: { id: `sku_${code}`, code },
    expected,
    received,
    damaged,
    over: Math.max(0, received + damaged - expected),
    short: Math.max(0, expected - received - damaged),
  });
  it('lists the lines that differ, and how', () => {
    const lines = [line('A', 10, 10, 0), line('B', 10, 7, 1), line('C', 5, 6, 0)];
    expect(discrepancies(lines)).toEqual([
      { sku: { id: 'sku_B', code: 'B' }, over: 0, short: 2, damaged: 1 },
      { sku: { id: 'sku_C', code: 'C' }, over: 1, short: 0, damaged: 0 },
    ]);
    expect(goodUnits(lines)).toBe(23);
  });
});
