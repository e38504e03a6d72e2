// Usage periods. The warehouse records billable usage by UTC instant and takes its daily storage
// snapshot per UTC day, so the portal's "today" and "this month" are UTC too: the numbers then
// match the invoice whatever the reader's time zone.

export interface Period {
  /** Inclusive, RFC 3339. */
  from: string;
  /** Exclusive, RFC 3339. */
  to: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** The UTC day of `now`: [00:00, next 00:00). */
export function utcDay(now: Date): Period {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { from: iso(start), to: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)) };
}

/** The UTC calendar month of `now`: [the 1st, the 1st of the next month). */
export function utcMonth(now: Date): Period {
  return {
    from: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    to: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

export type PeriodName = 'today' | 'month';

/** `?period=today` or the default, this month. */
export function parsePeriod(search: string): PeriodName {
  return new URLSearchParams(search).get('period') === 'today' ? 'today' : 'month';
}

/** A date typed in an <input type="date"> as the midnight UTC instant the API takes, or null. */
export function dateInputToUTC(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) {
    return null;
  }
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  // Date.UTC rolls 2026-02-31 over into March: refuse instead.
  if (Number.isNaN(ms) || d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) {
    return null;
  }
  return iso(ms);
}
