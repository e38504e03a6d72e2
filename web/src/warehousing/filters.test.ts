import { describe, expect, it } from 'vitest';
import {
  inventoryMode,
  inventorySearch,
  narrowBalances,
  orderStatuses,
  parseInventoryFilters,
  parseStatuses,
  receiptStatuses,
  statusSearch,
  type InventoryFilters,
} from './filters';

const none: InventoryFilters = { q: '', warehouseId: null, lowStock: false };

describe('inventory filters ↔ URL', () => {
  const cases: { name: string; search: string; want: InventoryFilters; canonical: string }[] = [
    { name: 'nothing', search: '', want: none, canonical: '' },
    { name: 'a search', search: '?q=lamp', want: { ...none, q: 'lamp' }, canonical: '?q=lamp' },
    {
      name: 'all three',
      search: '?low=1&warehouse=whs_01abc&q=BL-LAMP',
      want: { q: 'BL-LAMP', warehouseId: 'whs_01abc', lowStock: true },
      canonical: '?q=BL-LAMP&warehouse=whs_01abc&low=1',
    },
    { name: 'search trimmed', search: '?q=%20%20lamp%20', want: { ...none, q: 'lamp' }, canonical: '?q=lamp' },
    { name: 'spaces and symbols survive', search: '?q=65+W+%26+more', want: { ...none, q: '65 W & more' }, canonical: '?q=65+W+%26+more' },
    { name: 'low=true', search: '?low=true', want: { ...none, lowStock: true }, canonical: '?low=1' },
    { name: 'low=0 is off', search: '?low=0', want: none, canonical: '' },
    { name: 'not a warehouse id', search: '?warehouse=sku_01abc', want: none, canonical: '' },
    { name: 'junk warehouse', search: '?warehouse=%3Cscript%3E', want: none, canonical: '' },
    { name: 'unknown parameters ignored', search: '?page=3&sort=name', want: none, canonical: '' },
    {
      name: 'a search longer than the API takes is cut',
      search: `?q=${'x'.repeat(150)}`,
      want: { ...none, q: 'x'.repeat(100) },
      canonical: `?q=${'x'.repeat(100)}`,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = parseInventoryFilters(tc.search);
      expect(got).toEqual(tc.want);
      expect(inventorySearch(got)).toBe(tc.canonical);
      // Round trip: what the URL says is what the filters say.
      expect(parseInventoryFilters(inventorySearch(got))).toEqual(got);
    });
  }
});

describe('inventoryMode', () => {
  it('balances (server-side filters) without a search', () => {
    expect(inventoryMode(none)).toEqual({ kind: 'balances' });
    expect(inventoryMode({ ...none, warehouseId: 'whs_1', lowStock: true })).toEqual({ kind: 'balances' });
  });
  it('SKUs with a search, narrowed when a filter is set too', () => {
    expect(inventoryMode({ ...none, q: 'lamp' })).toEqual({ kind: 'skus', narrowed: false });
    expect(inventoryMode({ ...none, q: 'lamp', lowStock: true })).toEqual({ kind: 'skus', narrowed: true });
  });
});

describe('narrowBalances', () => {
  const b = (warehouse: string, lowStock: boolean) => ({ warehouse: { id: warehouse }, lowStock });
  const balances = [b('whs_a', false), b('whs_b', true), b('whs_c', true)];
  it('keeps everything without filters', () => {
    expect(narrowBalances(balances, none)).toEqual(balances);
  });
  it('by warehouse', () => {
    expect(narrowBalances(balances, { ...none, warehouseId: 'whs_b' })).toEqual([b('whs_b', true)]);
  });
  it('low stock only', () => {
    expect(narrowBalances(balances, { ...none, lowStock: true })).toEqual([b('whs_b', true), b('whs_c', true)]);
  });
  it('both', () => {
    expect(narrowBalances(balances, { ...none, warehouseId: 'whs_a', lowStock: true })).toEqual([]);
  });
});

describe('status filters ↔ URL', () => {
  it('one status', () => {
    expect(parseStatuses('?status=BACKORDERED', orderStatuses)).toEqual(['BACKORDERED']);
    expect(statusSearch(['BACKORDERED'], orderStatuses)).toBe('?status=BACKORDERED');
  });
  it('several, in the order an order goes through them, each once', () => {
    expect(parseStatuses('?status=packed,RESERVED,PICKED,RESERVED', orderStatuses)).toEqual(['RESERVED', 'PICKED', 'PACKED']);
    expect(statusSearch(['PACKED', 'RESERVED'], orderStatuses)).toBe('?status=RESERVED,PACKED');
  });
  it('unknown statuses are left out; none left is all', () => {
    expect(parseStatuses('?status=LOST,RESERVED', orderStatuses)).toEqual(['RESERVED']);
    expect(parseStatuses('?status=LOST', orderStatuses)).toEqual([]);
    expect(parseStatuses('', receiptStatuses)).toEqual([]);
    expect(statusSearch([], receiptStatuses)).toBe('');
  });
  it('round trip for receipts', () => {
    for (const s of receiptStatuses) {
      expect(parseStatuses(statusSearch([s], receiptStatuses), receiptStatuses)).toEqual([s]);
    }
  });
});
