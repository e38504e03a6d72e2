import { describe, expect, it } from 'vitest';
import { consoleSearch, issues, parseConsoleParams, visibleRows } from './console';

const row = (legalName: string, exc: number | null, low: number | null, status = 'ACTIVE') => ({
  id: legalName,
  legalName,
  status,
  health: { shipmentExceptions: exc, lowStockBalances: low },
});

describe('console list', () => {
  it('reads and writes its URL', () => {
    const p = parseConsoleParams('q=kes&show=attention&sort=issues');
    expect(p).toEqual({ q: 'kes', attention: true, sort: 'issues' });
    expect(consoleSearch(p)).toBe('?q=kes&show=attention&sort=issues');
    expect(consoleSearch(parseConsoleParams(''))).toBe('');
    expect(parseConsoleParams('sort=bogus').sort).toBe('name');
  });
  it('counts issues, hidden figures as none, a suspended account as one', () => {
    expect(issues(row('a', 2, 1))).toBe(3);
    expect(issues(row('a', null, null))).toBe(0);
    expect(issues(row('a', 0, 0, 'SUSPENDED'))).toBe(1);
    expect(issues({ ...row('a', 1, 0), health: { shipmentExceptions: 1, overdueInvoices: 2, atRiskLoans: 1 } })).toBe(4);
  });
  it('filters and orders a page', () => {
    const rows = [row('Maple', 0, 0), row('Kessler', 1, 0), row('Brightlight', 0, 3)];
    expect(visibleRows(rows, parseConsoleParams('')).map((r) => r.legalName)).toEqual(['Brightlight', 'Kessler', 'Maple']);
    expect(visibleRows(rows, parseConsoleParams('sort=issues&show=attention')).map((r) => r.legalName)).toEqual([
      'Brightlight',
      'Kessler',
    ]);
    expect(visibleRows(rows, parseConsoleParams('q=MAP')).map((r) => r.legalName)).toEqual(['Maple']);
  });
});
