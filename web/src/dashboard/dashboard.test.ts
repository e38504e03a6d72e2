import { describe, expect, it } from 'vitest';
import { groupCounts, lastMonths, onTimeOnLanes, openFinancing, spendByCategory, sumByCurrency, sumStatuses, troubleStatuses } from './dashboard';

describe('dashboard figures', () => {
  it('months are UTC calendar months, oldest first, across a year end', () => {
    const months = lastMonths(new Date('2026-01-15T10:00:00Z'), 3);
    expect(months.map((m) => m.key)).toEqual(['2025-11', '2025-12', '2026-01']);
    expect(months[2]).toEqual({ key: '2026-01', from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' });
  });

  it('groups statuses for the chart and sums trouble', () => {
    const counts = [
      { status: 'BOOKED' as const, count: 2 },
      { status: 'IN_TRANSIT' as const, count: 3 },
      { status: 'CUSTOMS_HOLD' as const, count: 1 },
      { status: 'DELIVERED' as const, count: 4 },
      { status: 'LOST' as const, count: 1 },
    ];
    expect(groupCounts(counts)).toEqual({ booked: 2, moving: 3, delivered: 4, trouble: 2 });
    expect(sumStatuses(counts, troubleStatuses)).toBe(2);
  });

  it('adds money exactly, in the account currency only', () => {
    const { byCategory, otherCurrencies } = spendByCategory(
      [
        { category: 'WAREHOUSING', amounts: [{ amount: '0.10', currencyCode: 'USD' }, { amount: '5', currencyCode: 'EUR' }] },
        { category: 'WAREHOUSING', amounts: [{ amount: '0.2', currencyCode: 'USD' }] },
        { category: 'TRANSPORT', amounts: [{ amount: '12345678901234567.89', currencyCode: 'USD' }] },
      ],
      'USD',
    );
    expect(byCategory.get('WAREHOUSING')).toBe('0.30');
    expect(byCategory.get('TRANSPORT')).toBe('12345678901234567.89');
    expect(otherCurrencies).toBe(true);
  });

  it('rates only the lanes the seller uses', () => {
    const card = (code: string, origin: string, destination: string, onTime: number, delivered: number) => ({
      carrier: { code, name: code },
      origin,
      destination,
      onTime,
      delivered,
    });
    const rates = onTimeOnLanes(
      [card('A', 'CN', 'US', 9, 10), card('A', 'CN', 'DE', 0, 10), card('B', 'CN', 'US', 1, 2), card('C', 'CN', 'US', 0, 0)],
      [{ origin: 'CN', destination: 'US' }],
    );
    expect(rates).toEqual([
      { code: 'A', name: 'A', rate: 0.9, delivered: 10 },
      { code: 'B', name: 'B', rate: 0.5, delivered: 2 },
    ]);
  });

  it('sums money exactly per currency', () => {
    const sums = sumByCurrency([
      { amount: '0.1', currencyCode: 'USD' },
      { amount: '1000.25', currencyCode: 'EUR' },
      { amount: '0.2', currencyCode: 'USD' },
      { amount: '-0.05', currencyCode: 'EUR' },
      { amount: 'oops', currencyCode: 'USD' },
    ]);
    expect(sums).toEqual([
      { amount: '0.3', currencyCode: 'USD' },
      { amount: '1000.20', currencyCode: 'EUR' },
    ]);
  });

  it('open financing counts loans that still owe, with the earliest due date and the worst status', () => {
    const usd = (amount: string) => ({ amount, currencyCode: 'USD' });
    expect(
      openFinancing([
        { status: 'ACTIVE', dueDate: '2026-12-20', outstanding: usd('1000.00') },
        { status: 'REPAID', dueDate: '2026-10-01', outstanding: usd('0.00') },
        { status: 'AT_RISK', dueDate: '2026-12-05', outstanding: usd('250.50') },
        { status: 'DEFAULTED', dueDate: '2026-09-01', outstanding: usd('99.00') },
      ]),
    ).toEqual({ count: 2, outstanding: [usd('1250.50')], nextDue: '2026-12-05', worst: 'AT_RISK' });
    expect(openFinancing([{ status: 'OVERDUE', dueDate: '2026-11-01', outstanding: usd('5.00') }]).worst).toBe('OVERDUE');
    expect(openFinancing([])).toEqual({ count: 0, outstanding: [], nextDue: null, worst: null });
  });
});
