// Columns of the console that other areas provide (overdue invoices from billing, at-risk loans
// from financing). The lead lists one here when its area's schema exists; each renders its own
// figure for an account (a small component with its own query, or better a field added to the
// console's query in ConsolePage.tsx). With none, the console shows no empty column.
//
// Example, once billing lands:
//   { key: 'overdue', header: () => billingMessages.console.overdue, Cell: OverdueInvoicesCell },
import type { ComponentType } from 'react';

export interface ConsoleColumn {
  key: string;
  header: () => string;
  Cell: ComponentType<{ accountId: string }>;
}

export const consoleColumns: readonly ConsoleColumn[] = [];
