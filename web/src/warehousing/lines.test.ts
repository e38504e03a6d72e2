import { describe, expect, it } from 'vitest';
import type { UserErrorLike } from '../i18n/messages';
import { collectLines, lineFields, parseUnits, toFormRows, type LineRow } from './lines';

const texts = { skuRequired: 'sku?', quantityInvalid: 'qty?', duplicateSku: 'dup', noLines: 'none' };
const row = (key: number, skuId: string | null, quantity: string): LineRow => ({ key, skuId, quantity });
const paths = (errors: readonly UserErrorLike[]) => errors.map((e) => `${e.code} ${(e.field ?? []).join('.')}`);

describe('parseUnits', () => {
  const cases: [string, number | null | undefined][] = [
    ['', null],
    ['  ', null],
    ['0', 0],
    ['12', 12],
    [' 7 ', 7],
    ['1.5', undefined],
    ['-1', undefined],
    ['1e3', undefined],
    ['12a', undefined],
    ['1234567890', undefined],
  ];
  for (const [text, want] of cases) {
    it(JSON.stringify(text), () => expect(parseUnits(text)).toBe(want));
  }
});

describe('collectLines', () => {
  it('sends the filled rows and remembers which row each came from', () => {
    const got = collectLines([row(1, 'sku_a', '2'), row(2, null, ''), row(3, 'sku_b', '5')], texts);
    expect(got.lines).toEqual([
      { skuId: 'sku_a', quantity: 2 },
      { skuId: 'sku_b', quantity: 5 },
    ]);
    expect(got.sentRows).toEqual([0, 2]);
    expect(got.errors).toEqual([]);
  });
  it('a row with only one half is an error at the missing half', () => {
    const got = collectLines([row(1, 'sku_a', ''), row(2, null, '3')], texts);
    expect(paths(got.errors)).toEqual(['REQUIRED input.lines.0.quantity', 'REQUIRED input.lines.1.skuId']);
  });
  it('zero, negative and fractional quantities are refused', () => {
    const got = collectLines([row(1, 'sku_a', '0'), row(2, 'sku_b', '1.5'), row(3, 'sku_c', '-2')], texts);
    expect(paths(got.errors)).toEqual([
      'INVALID input.lines.0.quantity',
      'INVALID input.lines.1.quantity',
      'INVALID input.lines.2.quantity',
    ]);
    expect(got.lines).toEqual([]);
  });
  it('the same SKU twice is an error on the second row', () => {
    const got = collectLines([row(1, 'sku_a', '1'), row(2, 'sku_a', '2')], texts);
    expect(paths(got.errors)).toEqual(['INVALID input.lines.1.skuId']);
  });
  it('nothing at all is an error on the lines', () => {
    expect(paths(collectLines([row(1, null, '')], texts).errors)).toEqual(['REQUIRED input.lines']);
  });
});

describe('toFormRows: server errors back on the rows on screen', () => {
  const err = (field: string[] | null): UserErrorLike => ({ code: 'NOT_FOUND', field, message: 'x' });
  it('maps the sent index to the form row', () => {
    const got = toFormRows([err(['input', 'lines', '1', 'skuId']), err(['input', 'lines', '0', 'quantity'])], ['input', 'lines'], [0, 2]);
    expect(got.map((e) => e.field)).toEqual([
      ['input', 'lines', '2', 'skuId'],
      ['input', 'lines', '0', 'quantity'],
    ]);
  });
  it('leaves other paths, the list itself and unknown indexes alone', () => {
    const others = [err(['input', 'warehouseId']), err(['input', 'lines']), err(['input', 'lines', '9', 'skuId']), err(null)];
    expect(toFormRows(others, ['input', 'lines'], [0, 2])).toEqual(others);
  });
});

describe('lineFields', () => {
  it('names every row’s fields', () => {
    expect(lineFields(1)).toEqual(['lines', 'lines.0', 'lines.0.skuId', 'lines.0.quantity']);
  });
});
