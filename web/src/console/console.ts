// The account-manager console's list, decided without React: its URL parameters (shareable) and
// how a page of accounts is filtered and ordered by what needs attention.

export interface ConsoleParams {
  q: string;
  attention: boolean;
  sort: 'name' | 'issues';
}

export function parseConsoleParams(search: string): ConsoleParams {
  const p = new URLSearchParams(search);
  return {
    q: (p.get('q') ?? '').trim().slice(0, 100),
    attention: p.get('show') === 'attention',
    sort: p.get('sort') === 'issues' ? 'issues' : 'name',
  };
}

export function consoleSearch(params: ConsoleParams): string {
  const p = new URLSearchParams();
  if (params.q) {
    p.set('q', params.q);
  }
  if (params.attention) {
    p.set('show', 'attention');
  }
  if (params.sort !== 'name') {
    p.set('sort', params.sort);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface HealthRow {
  id: string;
  legalName: string;
  status: string;
  health: {
    shipmentExceptions?: number | null;
    lowStockBalances?: number | null;
    overdueInvoices?: number | null;
    atRiskLoans?: number | null;
  };
}

/** How many things need attention in the account (a suspended account counts as one). */
export function issues(row: HealthRow): number {
  const h = row.health;
  return (
    (h.shipmentExceptions ?? 0) +
    (h.lowStockBalances ?? 0) +
    (h.overdueInvoices ?? 0) +
    (h.atRiskLoans ?? 0) +
    (row.status === 'ACTIVE' ? 0 : 1)
  );
}

export function visibleRows<T extends HealthRow>(rows: readonly T[], params: ConsoleParams): T[] {
  const q = params.q.toLowerCase();
  const out = rows.filter((r) => (!q || r.legalName.toLowerCase().includes(q)) && (!params.attention || issues(r) > 0));
  return params.sort === 'issues'
    ? out.sort((a, b) => issues(b) - issues(a) || a.legalName.localeCompare(b.legalName))
    : out.sort((a, b) => a.legalName.localeCompare(b.legalName));
}
