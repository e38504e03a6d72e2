// The addresses of the procurement pages of an account, and the supplier workspace.
import { accountPath } from '../access/access';

const seg = encodeURIComponent;

export const procurementPaths = {
  home: (accountId: string) => accountPath(accountId, 'procurement'),
  newRfq: (accountId: string) => `${accountPath(accountId, 'procurement')}/rfqs/new`,
  rfq: (accountId: string, id: string) => `${accountPath(accountId, 'procurement')}/rfqs/${seg(id)}`,
  po: (accountId: string, id: string) => `${accountPath(accountId, 'procurement')}/purchase-orders/${seg(id)}`,
  supplier: '/supplier',
};

/** Receiving progress of a purchase order: delivered (accepted + rejected) over ordered, 0–100. */
export function receivedPercent(lines: readonly { quantity: number; received: number; rejected: number }[]): number {
  const ordered = lines.reduce((n, l) => n + l.quantity, 0);
  if (ordered === 0) {
    return 0;
  }
  const delivered = lines.reduce((n, l) => n + Math.min(l.received + l.rejected, l.quantity), 0);
  return Math.floor((delivered * 100) / ordered);
}

/** A datetime-local input's value as RFC 3339 in UTC, or null when empty or invalid. */
export function toRFC3339(local: string): string | null {
  if (!local) {
    return null;
  }
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The datetime-local value `days` from now, for a form's default deadline. */
export function localInDays(days: number, now: Date = new Date()): string {
  const d = new Date(now.getTime() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
