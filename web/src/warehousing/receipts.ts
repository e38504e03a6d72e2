// What the receipt pages say about what arrived.
import type { ReceiptStatus } from '../gql/graphql';

/**
 * Whether a receipt shows a discrepancy: only once it was received. (The API also flags an
 * EXPECTED receipt, whose lines all count as short before anything arrived; that is no news.)
 */
export function showsDiscrepancy(receipt: { status: ReceiptStatus; hasDiscrepancy: boolean }): boolean {
  return receipt.hasDiscrepancy && (receipt.status === 'RECEIVED' || receipt.status === 'PUT_AWAY');
}

export interface ReceivedLine {
  sku: { id: string; code: string };
  expected: number;
  received: number;
  damaged: number;
  over: number;
  short: number;
}

/** The lines that differ from what was announced, with how: over, short, damaged (0s left out). */
export function discrepancies(
  lines: readonly ReceivedLine[],
): { sku: { id: string; code: string }; over: number; short: number; damaged: number }[] {
  return lines
    .filter((l) => l.over > 0 || l.short > 0 || l.damaged > 0)
    .map((l) => ({ sku: l.sku, over: l.over, short: l.short, damaged: l.damaged }));
}

/** Good units received, which putaway makes available. */
export function goodUnits(lines: readonly { received: number }[]): number {
  return lines.reduce((n, l) => n + l.received, 0);
}
