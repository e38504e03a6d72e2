import { Field } from '../components/Form';
import type { MappedErrors } from '../forms/userErrors';
import { userErrorText, type UserErrorLike } from '../i18n/messages';
import { warehousingMessages as t } from '../i18n/warehousing';
import type { LineRow } from './lines';
import { useSkuOptions, withChosen, type SkuOption } from './ui';

let nextKey = 1;

/** A new empty line (or one for a SKU, from a `?sku=` link). */
export function newLine(skuId: string | null = null): LineRow {
  return { key: nextKey++, skuId, quantity: '' };
}

/**
 * The lines of a receipt or an order: a SKU and a quantity each, lines added and removed at will.
 * The SKU list is the account's first 100 SKUs; with more, a search box narrows it. `available`
 * (units by SKU id) is shown beside each SKU where given (the order form's warehouse).
 */
export function LinesEditor({
  accountId,
  rows,
  onChange,
  errors,
  legend,
  hint,
  available,
  chosen,
  onChoose,
  paused = false,
}: {
  accountId: string;
  rows: readonly LineRow[];
  onChange: (rows: LineRow[]) => void;
  errors: MappedErrors<string>;
  legend: string;
  hint: string;
  available?: ReadonlyMap<string, number> | undefined;
  /** The SKUs chosen so far, by id, so that a line keeps its SKU when a search leaves it out. */
  chosen: ReadonlyMap<string, SkuOption>;
  onChoose: (sku: SkuOption) => void;
  /** While the form is being sent (see useSkuOptions). */
  paused?: boolean;
}) {
  const skus = useSkuOptions(accountId, paused);
  const fieldErrors = errors.fields as Partial<Record<string, UserErrorLike[]>>;
  const listErrors = fieldErrors['lines'] ?? [];

  function update(index: number, change: Partial<LineRow>) {
    onChange(rows.map((r, i) => (i === index ? { ...r, ...change } : r)));
  }

  return (
    <fieldset className="fieldset form-span" aria-describedby="lines-hint">
      <legend>{legend}</legend>
      <p id="lines-hint" className="field-hint">
        {hint}
      </p>
      {skus.problem && (
        <p className="field-errors" role="alert">
          {t.common.skusFailed} {skus.problem.action}{' '}
          <button type="button" className="button button-secondary button-small" onClick={skus.reload}>
            {t.common.retry}
          </button>
        </p>
      )}
      {skus.searchable && (
        <div className="field field-narrow">
          <label htmlFor="lines-sku-search">{t.common.findSku}</label>
          <input
            id="lines-sku-search"
            type="search"
            value={skus.search}
            onChange={(e) => skus.setSearch(e.target.value)}
            aria-describedby="lines-sku-search-hint"
          />
          <p id="lines-sku-search-hint" className="field-hint">
            {t.common.moreSkus}
          </p>
        </div>
      )}
      {listErrors.length > 0 && (
        <ul className="field-errors" id="lines-errors">
          {listErrors.map((e, i) => (
            <li key={i}>{userErrorText(e)}</li>
          ))}
        </ul>
      )}
      <ol className="lines">
        {rows.map((row, i) => {
          const sku = row.skuId ? (chosen.get(row.skuId) ?? skus.options.find((o) => o.id === row.skuId) ?? null) : null;
          const options = withChosen(skus.options, sku);
          const quantityErrors = [...(fieldErrors[`lines.${i}.quantity`] ?? []), ...(fieldErrors[`lines.${i}`] ?? [])];
          return (
            <li key={row.key}>
              <fieldset className="line-row">
                <legend className="visually-hidden">{t.common.line(i + 1)}</legend>
                <Field label={t.common.sku} errors={fieldErrors[`lines.${i}.skuId`]}>
                  {(props) => (
                    <select
                      {...props}
                      value={row.skuId ?? ''}
                      onChange={(e) => {
                        const picked = options.find((o) => o.id === e.target.value) ?? null;
                        if (picked) {
                          onChoose(picked);
                        }
                        update(i, { skuId: picked?.id ?? null });
                      }}
                    >
                      <option value="">{skus.loaded ? t.common.chooseSku : t.common.loading}</option>
                      {options.map((o) => (
                        <option key={o.id} value={o.id}>
                          {available
                            ? t.common.skuOptionAvailable(o.code, o.name, available.get(o.id) ?? 0)
                            : t.common.skuOption(o.code, o.name)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label={t.common.quantity} errors={quantityErrors}>
                  {(props) => (
                    <input
                      {...props}
                      className="input-number"
                      value={row.quantity}
                      onChange={(e) => update(i, { quantity: e.target.value })}
                      inputMode="numeric"
                      autoComplete="off"
                    />
                  )}
                </Field>
                <div className="line-actions">
                  {rows.length > 1 && (
                    <button
                      type="button"
                      className="button button-secondary button-small"
                      onClick={() => onChange(rows.filter((_, j) => j !== i))}
                      aria-label={t.common.removeLine(i + 1)}
                    >
                      ×
                    </button>
                  )}
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <p>
        <button type="button" className="button button-secondary button-small" onClick={() => onChange([...rows, newLine()])}>
          {t.common.addLine}
        </button>
      </p>
    </fieldset>
  );
}
