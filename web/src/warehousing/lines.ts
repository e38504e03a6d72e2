// Forms with lines (receipt lines, order lines, reorder points) send only the rows that hold
// something, so the server's userError paths count the rows that were sent
// (`input.lines.1.quantity`), not the rows on screen. These put each error back on its row.

import type { UserErrorLike } from '../i18n/messages';

/**
 * Rewrites the index after `list` in each error path from the sent index to the form's row:
 * `sentRows[i]` is the form row that became the i-th item sent. Paths that do not go through the
 * list, and indexes outside it, stay as they are.
 */
export function toFormRows(
  errors: readonly UserErrorLike[],
  list: readonly string[],
  sentRows: readonly number[],
): UserErrorLike[] {
  return errors.map((error) => {
    const path = error.field;
    if (!path || path.length <= list.length) {
      return error;
    }
    if (!list.every((part, i) => path[i] === part)) {
      return error;
    }
    const index = path[list.length];
    if (index === undefined || !/^\d+$/.test(index)) {
      return error;
    }
    const row = sentRows[Number(index)];
    if (row === undefined) {
      return error;
    }
    return { ...error, field: [...list, String(row), ...path.slice(list.length + 1)] };
  });
}

/**
 * Parses a whole number of units typed in a form: null for empty, NaN-free; a value that is not a
 * whole number (1.5, 1e3, -0) gives undefined so the form can say so.
 */
export function parseUnits(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') {
    return null;
  }
  if (!/^\d{1,9}$/.test(t)) {
    return undefined;
  }
  return Number(t);
}

/** A line of a form: a SKU and a quantity as typed. */
export interface LineRow {
  /** Stable React key. */
  key: number;
  skuId: string | null;
  quantity: string;
}

/** The texts of the checks below (from the page's catalog). */
export interface LineTexts {
  skuRequired: string;
  quantityInvalid: string;
  duplicateSku: string;
  noLines: string;
}

/**
 * The lines a form sends: each row with a SKU or a quantity must have both (a positive whole
 * number), each SKU once; empty rows are skipped. Errors are in the server's shape at the row's
 * field (`input.lines.<row>.skuId` / `.quantity`), or at `input.lines` when nothing is left.
 */
export function collectLines(
  rows: readonly LineRow[],
  texts: LineTexts,
): { lines: { skuId: string; quantity: number }[]; sentRows: number[]; errors: UserErrorLike[] } {
  const lines: { skuId: string; quantity: number }[] = [];
  const sentRows: number[] = [];
  const errors: UserErrorLike[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const typed = row.quantity.trim();
    if (row.skuId === null && typed === '') {
      return;
    }
    const at = (field: string, code: string, message: string) =>
      errors.push({ code, field: ['input', 'lines', String(i), field], message });
    const quantity = parseUnits(typed);
    let ok = true;
    if (row.skuId === null) {
      at('skuId', 'REQUIRED', texts.skuRequired);
      ok = false;
    } else if (seen.has(row.skuId)) {
      at('skuId', 'INVALID', texts.duplicateSku);
      ok = false;
    }
    if (quantity === null || quantity === undefined || quantity <= 0) {
      at('quantity', quantity === null ? 'REQUIRED' : 'INVALID', texts.quantityInvalid);
      ok = false;
    }
    if (row.skuId !== null) {
      seen.add(row.skuId);
    }
    if (ok && row.skuId !== null && typeof quantity === 'number') {
      lines.push({ skuId: row.skuId, quantity });
      sentRows.push(i);
    }
  });
  if (lines.length === 0 && errors.length === 0) {
    errors.push({ code: 'REQUIRED', field: ['input', 'lines'], message: texts.noLines });
  }
  return { lines, sentRows, errors };
}

/** The field keys of a form's lines, for mapUserErrors: `lines`, and each row's SKU and quantity. */
export function lineFields(count: number): string[] {
  const keys = ['lines'];
  for (let i = 0; i < count; i++) {
    keys.push(`lines.${i}`, `lines.${i}.skuId`, `lines.${i}.quantity`);
  }
  return keys;
}
