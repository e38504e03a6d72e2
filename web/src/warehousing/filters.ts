// The filters of the warehousing lists, kept in the URL's query string so that a filtered list
// can be bookmarked, shared and reloaded, and Back returns to the previous filter. Each list
// parses what it understands and ignores the rest: a hand-edited or stale link still opens.

import type { FulfilmentOrderStatus, ReceiptStatus } from '../gql/graphql';

/** The inventory list's filters: `?q=lamp&warehouse=whs_…&low=1`. */
export interface InventoryFilters {
  /** Text to find in SKU codes and names ('' for none). */
  q: string;
  /** Only this warehouse. */
  warehouseId: string | null;
  /** Only balances below their reorder point. */
  lowStock: boolean;
}

/** The server refuses longer searches. */
export const maxSearchLength = 100;

const idPattern = /^[a-z]+_[A-Za-z0-9]+$/;

/** A global id of the given prefix (`whs`), or null. */
function idOf(value: string | null, prefix: string): string | null {
  return value !== null && idPattern.test(value) && value.startsWith(`${prefix}_`) ? value : null;
}

function truthy(value: string | null): boolean {
  return value === '1' || value === 'true';
}

export function parseInventoryFilters(search: string): InventoryFilters {
  const params = new URLSearchParams(search);
  return {
    q: (params.get('q') ?? '').trim().slice(0, maxSearchLength),
    warehouseId: idOf(params.get('warehouse'), 'whs'),
    lowStock: truthy(params.get('low')),
  };
}

/** The query string of the filters, `?…`, or '' when none is set; always in the same order. */
export function inventorySearch(filters: InventoryFilters): string {
  const params = new URLSearchParams();
  const q = filters.q.trim().slice(0, maxSearchLength);
  if (q !== '') {
    params.set('q', q);
  }
  if (filters.warehouseId) {
    params.set('warehouse', filters.warehouseId);
  }
  if (filters.lowStock) {
    params.set('low', '1');
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * Which query lists the inventory. The API searches SKUs (`skus(search:)`) and filters balances by
 * warehouse and low stock (`inventoryBalances(filter:)`), not both in one query:
 * - 'balances': no search; the server filters and pages the balances (one row per SKU and
 *   warehouse).
 * - 'skus': a search; the server finds and pages the SKUs, and the warehouse and low-stock
 *   filters narrow each SKU's balances on the page (`narrowed` says so to the reader).
 */
export type InventoryMode = { kind: 'balances' } | { kind: 'skus'; narrowed: boolean };

export function inventoryMode(filters: InventoryFilters): InventoryMode {
  if (filters.q === '') {
    return { kind: 'balances' };
  }
  return { kind: 'skus', narrowed: filters.warehouseId !== null || filters.lowStock };
}

/** A balance as far as the filters look at it. */
export interface FilterableBalance {
  warehouse: { id: string };
  lowStock: boolean;
}

/** The balances of a SKU that the filters keep (for the 'skus' mode). */
export function narrowBalances<B extends FilterableBalance>(balances: readonly B[], filters: InventoryFilters): B[] {
  return balances.filter(
    (b) => (filters.warehouseId === null || b.warehouse.id === filters.warehouseId) && (!filters.lowStock || b.lowStock),
  );
}

/** Every fulfilment order status, in the order an order goes through them. */
export const orderStatuses: readonly FulfilmentOrderStatus[] = [
  'PENDING',
  'BACKORDERED',
  'RESERVED',
  'PICKED',
  'PACKED',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
];

/** Every receipt status, in order. */
export const receiptStatuses: readonly ReceiptStatus[] = ['EXPECTED', 'RECEIVED', 'PUT_AWAY', 'CANCELLED'];

/**
 * `?status=RESERVED,PICKED` → the statuses it names that exist, in their canonical order, each
 * once; [] (all) when none does.
 */
export function parseStatuses<S extends string>(search: string, all: readonly S[]): S[] {
  const raw = new URLSearchParams(search).get('status');
  if (!raw) {
    return [];
  }
  const wanted = new Set(raw.split(',').map((s) => s.trim().toUpperCase()));
  return all.filter((s) => wanted.has(s));
}

/** The query string for a status filter, `?status=…`, or '' for all. */
export function statusSearch<S extends string>(statuses: readonly S[], all: readonly S[]): string {
  const kept = all.filter((s) => statuses.includes(s));
  // Statuses are upper-case words: nothing to escape, and the commas stay readable.
  return kept.length === 0 ? '' : `?status=${kept.join(',')}`;
}
