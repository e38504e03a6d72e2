import { describe, expect, it } from 'vitest';
import { en as core, formatChange, formatCount, formatDate, formatDayShort, formatDecimal, formatMoney, userErrorText } from './messages';
import { label, warehousingMessages as t } from './warehousing';

describe('formatMoney: Money {amount, currencyCode} with Intl.NumberFormat', () => {
  const cases: [string, string, string][] = [
    ['1250.50', 'USD', '$1,250.50'],
    ['51942.00', 'CNY', 'CN¥51,942.00'],
    ['149.00', 'EUR', '€149.00'],
    ['1500', 'JPY', '¥1,500'],
    ['1.234', 'KWD', 'KWD 1.234'],
    ['0.00', 'USD', '$0.00'],
    ['-12.30', 'USD', '-$12.30'],
    // Exact: 19 significant digits, which a float would round.
    ['12345678901234567.89', 'USD', '$12,345,678,901,234,567.89'],
  ];
  for (const [amount, currencyCode, want] of cases) {
    it(`${amount} ${currencyCode}`, () => expect(formatMoney({ amount, currencyCode })).toBe(want.replace(/ /g, '\u00a0')));
  }
  it('shows what it cannot format as it came', () => {
    expect(formatMoney({ amount: 'abc', currencyCode: 'USD' })).toBe('abc USD');
    expect(formatMoney({ amount: '1.00', currencyCode: 'NOTACODE' })).toBe('1.00 NOTACODE');
  });
});

describe('numbers', () => {
  it('counts with grouping', () => {
    expect(formatCount(12500)).toBe('12,500');
    expect(formatCount(0)).toBe('0');
  });
  it('changes with a sign', () => {
    expect(formatChange(40)).toBe('+40');
    expect(formatChange(-2)).toBe('-2');
    expect(formatChange(0)).toBe('0');
  });
  it('decimals exactly, up to 6 places', () => {
    expect(formatDecimal('1.598732')).toBe('1.598732');
    expect(formatDecimal('800')).toBe('800');
    expect(formatDecimal('1234.5')).toBe('1,234.5');
    expect(formatDecimal('n/a')).toBe('n/a');
  });
});

describe('formatDayShort', () => {
  it('a chart label, in UTC', () => {
    expect(formatDayShort('2026-11-09T00:00:00Z')).toBe('Nov 9');
    expect(formatDayShort('2026-11-09T00:00:00Z', { ...core, locale: 'zh-CN' })).toBe('11月9日');
  });
});

describe('formatDate', () => {
  it('a day in UTC does not move with the reader’s zone', () => {
    expect(formatDate('2027-03-01T00:00:00Z', { utc: true })).toBe('Mar 1, 2027');
  });
  it('leaves what is not a date as it came', () => {
    expect(formatDate('soon')).toBe('soon');
  });
});

describe('warehousing userErrors in words', () => {
  it('codes of the warehousing API have texts', () => {
    for (const code of ['INSUFFICIENT_STOCK', 'IDEMPOTENCY_KEY_REUSED', 'INVALID_TRANSITION', 'LOT_REQUIRED', 'TOO_MANY_LINES', 'WAREHOUSE_INACTIVE']) {
      expect(Object.hasOwn(core.userErrors, code), code).toBe(true);
    }
  });
  it('an invalid HS code keeps the server’s detail, at its field', () => {
    expect(
      userErrorText({ code: 'INVALID', field: ['input', 'hsCode'], message: 'an HS code of 6, 8 or 10 digits, such as 8517.62 or 851762' }),
    ).toBe('An HS code of 6, 8 or 10 digits, such as 8517.62 or 851762.');
  });
  it('a duplicate SKU code says what to do', () => {
    expect(userErrorText({ code: 'ALREADY_EXISTS', field: ['input', 'code'], message: 'x' })).toMatch(/Choose another code/);
  });
});

describe('the warehousing catalog', () => {
  it('unknown codes show as they came', () => {
    expect(label(t.usageCodes, 'pickpack.order')).toBe('Pick and pack: orders');
    expect(label(t.usageCodes, 'storage.new_thing')).toBe('storage.new_thing');
    expect(label(t.usageCodes, 'toString')).toBe('toString');
  });
});
