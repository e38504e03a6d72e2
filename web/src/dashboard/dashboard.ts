// What the seller dashboard computes from the API's answers, without React: month windows for
// the usage totals, the spend series, the on-time rate of the seller's own lanes, and the
// status groups the tiles and the weekly chart use.
import type { LoanStatus, ShipmentStatus, UsageCategory } from '../gql/graphql';

/** A calendar month in UTC, as the usage totals are asked for (usage days are UTC days). */
export interface MonthWindow {
  key: string; // "2026-11"
  from: string; // ISO, inclusive
  to: string; // ISO, exclusive
}

/** The last `count` months up to and including now's, oldest first. */
export function lastMonths(now: Date, count: number): MonthWindow[] {
  const out: MonthWindow[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    out.push({ key: start.toISOString().slice(0, 7), from: start.toISOString(), to: end.toISOString() });
  }
  return out;
}

/** Shipments still on their way (not delivered, lost or returned). */
export const inTransitStatuses: ReadonlySet<ShipmentStatus> = new Set<ShipmentStatus>([
  'BOOKED',
  'PICKED_UP',
  'IN_TRANSIT',
  'CUSTOMS_HOLD',
  'CUSTOMS_CLEARED',
  'OUT_FOR_DELIVERY',
  'EXCEPTION',
]);

/** Shipments someone should look at. */
export const troubleStatuses: ReadonlySet<ShipmentStatus> = new Set<ShipmentStatus>([
  'EXCEPTION',
  'CUSTOMS_HOLD',
  'LOST',
  'RETURNED_TO_SENDER',
]);

export function sumStatuses(counts: readonly { status: ShipmentStatus; count: number }[], which: ReadonlySet<ShipmentStatus>): number {
  return counts.reduce((n, c) => n + (which.has(c.status) ? c.count : 0), 0);
}

/**
 * The weekly chart's series: four groups rather than ten statuses, so that the colours can be
 * told apart and each carries meaning (moving, delivered, trouble, not picked up yet).
 */
export type StatusGroup = 'booked' | 'moving' | 'delivered' | 'trouble';
export const statusGroups: readonly StatusGroup[] = ['booked', 'moving', 'delivered', 'trouble'];

export function statusGroup(status: ShipmentStatus): StatusGroup {
  if (status === 'BOOKED') {
    return 'booked';
  }
  if (status === 'DELIVERED') {
    return 'delivered';
  }
  return troubleStatuses.has(status) ? 'trouble' : 'moving';
}

export function groupCounts(counts: readonly { status: ShipmentStatus; count: number }[]): Record<StatusGroup, number> {
  const out: Record<StatusGroup, number> = { booked: 0, moving: 0, delivered: 0, trouble: 0 };
  for (const c of counts) {
    out[statusGroup(c.status)] += c.count;
  }
  return out;
}

export interface MoneyLike {
  amount: string;
  currencyCode: string;
}

/**
 * Spend per category in one currency, in minor-unit-free decimal strings summed exactly: the
 * amounts are decimal strings, so they are added as scaled integers (BigInt), never as floats.
 */
export function spendByCategory(
  totals: readonly { category: UsageCategory; amounts: readonly MoneyLike[] }[],
  currency: string,
): { byCategory: Map<UsageCategory, string>; otherCurrencies: boolean } {
  const sums = new Map<UsageCategory, bigint>();
  let otherCurrencies = false;
  let scale = 0;
  const parsed: { category: UsageCategory; int: bigint; decimals: number }[] = [];
  for (const t of totals) {
    for (const m of t.amounts) {
      if (m.currencyCode !== currency) {
        otherCurrencies = true;
        continue;
      }
      const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(m.amount);
      if (!match) {
        continue;
      }
      const decimals = match[3]?.length ?? 0;
      scale = Math.max(scale, decimals);
      parsed.push({ category: t.category, int: BigInt(`${match[1]}${match[2]}${match[3] ?? ''}`), decimals });
    }
  }
  for (const p of parsed) {
    const v = p.int * 10n ** BigInt(scale - p.decimals);
    sums.set(p.category, (sums.get(p.category) ?? 0n) + v);
  }
  const byCategory = new Map<UsageCategory, string>();
  for (const [k, v] of sums) {
    byCategory.set(k, toDecimal(v, scale));
  }
  return { byCategory, otherCurrencies };
}

function toDecimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${int}${frac}`;
}

interface CardLike {
  carrier: { code: string; name: string };
  origin: string;
  destination: string;
  onTime: number;
  delivered: number;
}

/** On-time rate per carrier over the scorecards of the given lanes only, best first. */
export function onTimeOnLanes(
  cards: readonly CardLike[],
  lanes: readonly { origin: string; destination: string }[],
): { code: string; name: string; rate: number; delivered: number }[] {
  const wanted = new Set(lanes.map((l) => `${l.origin}>${l.destination}`));
  const by = new Map<string, { code: string; name: string; onTime: number; delivered: number }>();
  for (const c of cards) {
    if (!wanted.has(`${c.origin}>${c.destination}`)) {
      continue;
    }
    const cur = by.get(c.carrier.code) ?? { code: c.carrier.code, name: c.carrier.name, onTime: 0, delivered: 0 };
    cur.onTime += c.onTime;
    cur.delivered += c.delivered;
    by.set(c.carrier.code, cur);
  }
  return [...by.values()]
    .filter((c) => c.delivered > 0)
    .map((c) => ({ code: c.code, name: c.name, rate: c.onTime / c.delivered, delivered: c.delivered }))
    .sort((a, b) => b.rate - a.rate || a.name.localeCompare(b.name));
}

/** Amounts added exactly per currency (as scaled integers), currencies in the order first seen. */
export function sumByCurrency(amounts: readonly MoneyLike[]): MoneyLike[] {
  const parsed = new Map<string, { int: bigint; decimals: number }[]>();
  for (const m of amounts) {
    const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(m.amount);
    if (!match) {
      continue;
    }
    const list = parsed.get(m.currencyCode) ?? [];
    list.push({ int: BigInt(`${match[1]}${match[2]}${match[3] ?? ''}`), decimals: match[3]?.length ?? 0 });
    parsed.set(m.currencyCode, list);
  }
  return [...parsed].map(([currencyCode, list]) => {
    const scale = Math.max(...list.map((p) => p.decimals));
    const sum = list.reduce((acc, p) => acc + p.int * 10n ** BigInt(scale - p.decimals), 0n);
    return { amount: toDecimal(sum, scale), currencyCode };
  });
}

/** Loans that still owe: what the financing tile counts. */
export const openLoanStatuses: ReadonlySet<LoanStatus> = new Set<LoanStatus>(['ACTIVE', 'AT_RISK', 'OVERDUE']);

/**
 * The open financing of an account: how many loans still owe, their outstanding per currency,
 * the earliest due date among them (a "YYYY-MM-DD" day, possibly past when overdue) and the
 * worst status, for the tile's tone.
 */
export function openFinancing(loans: readonly { status: LoanStatus; dueDate: string; outstanding: MoneyLike }[]): {
  count: number;
  outstanding: MoneyLike[];
  nextDue: string | null;
  worst: 'OVERDUE' | 'AT_RISK' | null;
} {
  const open = loans.filter((l) => openLoanStatuses.has(l.status));
  const nextDue = open.reduce<string | null>((min, l) => (min === null || l.dueDate < min ? l.dueDate : min), null);
  const worst = open.some((l) => l.status === 'OVERDUE') ? 'OVERDUE' : open.some((l) => l.status === 'AT_RISK') ? 'AT_RISK' : null;
  return { count: open.length, outstanding: sumByCurrency(open.map((l) => l.outstanding)), nextDue, worst };
}
