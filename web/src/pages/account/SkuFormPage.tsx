import { useRef, useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { Link, useLocation, useParams } from 'wouter';
import { useAccount } from '../../app/account';
import { setFlash } from '../../components/flash';
import { Field, FormAlert } from '../../components/Form';
import { Remote } from '../../components/Remote';
import { NoAccess } from '../../components/States';
import { useFormState } from '../../forms/useFormState';
import { graphql } from '../../gql';
import type { LengthUnit, SkuEditQuery, WeightUnit } from '../../gql/graphql';
import { mutationOutcome } from '../../graphql/mutations';
import { formatCurrency, messages, userErrorText, type UserErrorLike } from '../../i18n/messages';
import { warehousingMessages as t } from '../../i18n/warehousing';
import { toFormRows } from '../../warehousing/lines';
import { paths } from '../../warehousing/paths';
import { PageHeader, useCanOperate, useWarehouses, type WarehouseOption } from '../../warehousing/ui';

export const SkuEditQueryDoc = graphql(`
  query SkuEdit($id: ID!) {
    sku(id: $id) {
      id
      accountId
      code
      name
      description
      barcode
      hsCode
      countryOfOrigin
      unitValue {
        amount
        currencyCode
      }
      weight {
        value
        unit
      }
      dimensions {
        length
        width
        height
        unit
      }
      tracksLots
      reorderPoints {
        warehouse {
          id
          code
          name
        }
        point
        quantity
      }
    }
  }
`);

export const SkuFormAccountQuery = graphql(`
  query SkuFormAccount($id: ID!) {
    account(id: $id) {
      id
      defaultCurrency
    }
  }
`);

export const CreateSkuMutation = graphql(`
  mutation CreateSku($input: CreateSkuInput!) {
    createSku(input: $input) {
      sku {
        id
        code
        name
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const UpdateSkuMutation = graphql(`
  mutation UpdateSku($input: UpdateSkuInput!) {
    updateSku(input: $input) {
      sku {
        id
        code
        name
        description
        barcode
        hsCode
        countryOfOrigin
        unitValue {
          amount
          currencyCode
        }
        tracksLots
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Sku = NonNullable<SkuEditQuery['sku']>;

const weightUnits: readonly WeightUnit[] = ['G', 'KG', 'LB', 'OZ'];
const lengthUnits: readonly LengthUnit[] = ['MM', 'CM', 'M', 'IN'];
const commonCurrencies = ['USD', 'EUR', 'CNY', 'GBP', 'JPY', 'HKD', 'AUD', 'CAD'];

interface Values {
  code: string;
  name: string;
  description: string;
  barcode: string;
  hsCode: string;
  countryOfOrigin: string;
  amount: string;
  currency: string;
  weightValue: string;
  weightUnit: WeightUnit;
  length: string;
  width: string;
  height: string;
  lengthUnit: LengthUnit;
  tracksLots: boolean;
  /** By warehouse id. */
  reorder: Record<string, { point: string; quantity: string }>;
}

function emptyValues(currency: string): Values {
  return {
    code: '',
    name: '',
    description: '',
    barcode: '',
    hsCode: '',
    countryOfOrigin: '',
    amount: '',
    currency,
    weightValue: '',
    weightUnit: 'KG',
    length: '',
    width: '',
    height: '',
    lengthUnit: 'CM',
    tracksLots: false,
    reorder: {},
  };
}

function valuesOf(sku: Sku): Values {
  return {
    code: sku.code,
    name: sku.name,
    description: sku.description ?? '',
    barcode: sku.barcode ?? '',
    hsCode: sku.hsCode ?? '',
    countryOfOrigin: sku.countryOfOrigin ?? '',
    amount: sku.unitValue.amount,
    currency: sku.unitValue.currencyCode,
    weightValue: sku.weight?.value ?? '',
    weightUnit: sku.weight?.unit ?? 'KG',
    length: sku.dimensions?.length ?? '',
    width: sku.dimensions?.width ?? '',
    height: sku.dimensions?.height ?? '',
    lengthUnit: sku.dimensions?.unit ?? 'CM',
    tracksLots: sku.tracksLots,
    reorder: Object.fromEntries(
      sku.reorderPoints.map((r) => [r.warehouse.id, { point: String(r.point), quantity: r.quantity ? String(r.quantity) : '' }]),
    ),
  };
}

/** `/accounts/:id/inventory/new`: a new SKU. */
export function NewSkuPage() {
  const { account } = useAccount();
  const [result, reexecute] = useQuery({ query: SkuFormAccountQuery, variables: { id: account.id } });
  const operate = useCanOperate();
  return (
    <>
      <title>{t.common.title(t.skuForm.createTitle, account.legalName)}</title>
      <PageHeader
        eyebrow={<Link href={paths.inventory(account.id)}>{t.inventory.title}</Link>}
        title={t.skuForm.createTitle}
        lead={t.skuForm.createLead}
      />
      {!operate ? (
        <p className="callout callout-info">{t.common.readOnlyRole}</p>
      ) : (
        <Remote
          value={result.data?.account}
          result={result}
          what={t.inventory.what}
          onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        >
          {(a) => <SkuForm initial={emptyValues(a.defaultCurrency)} sku={null} />}
        </Remote>
      )}
    </>
  );
}

/** `/accounts/:id/inventory/:skuId/edit`: a SKU's details, changed. */
export function EditSkuPage() {
  const { account } = useAccount();
  const { skuId = '' } = useParams<{ skuId: string }>();
  // Paused while the changes are sent: the answer is this SKU, which would make urql ask for it
  // again just as the page goes away.
  const [saving, setSaving] = useState(false);
  const [result, reexecute] = useQuery({
    query: SkuEditQueryDoc,
    variables: { id: skuId },
    requestPolicy: 'network-only',
    pause: saving,
  });
  const operate = useCanOperate();
  const sku = result.data?.sku;
  return (
    <>
      <title>{t.common.title(sku ? t.skuForm.editTitle(sku.code) : t.sku.notFound, account.legalName)}</title>
      <Remote
        value={sku}
        result={result}
        what={t.sku.notFound}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        loadingLabel={t.sku.loading}
      >
        {(s) =>
          s.accountId !== account.id ? (
            <NoAccess what={t.sku.notFound} />
          ) : (
            <>
              <PageHeader
                eyebrow={<Link href={paths.sku(account.id, s.id)}>{s.code}</Link>}
                title={t.skuForm.editTitle(s.code)}
                lead={t.skuForm.editLead}
              />
              {operate ? (
                <SkuForm initial={valuesOf(s)} sku={s} onSending={setSaving} />
              ) : (
                <p className="callout callout-info">{t.common.readOnlyRole}</p>
              )}
            </>
          )
        }
      </Remote>
    </>
  );
}

type SkuField =
  | 'code'
  | 'name'
  | 'description'
  | 'barcode'
  | 'hsCode'
  | 'countryOfOrigin'
  | 'unitValue'
  | 'weight'
  | 'dimensions'
  | 'tracksLots'
  | 'reorderPoints'
  | `reorderPoints.${number}`;

const decimalPattern = /^\d+(\.\d+)?$/;
const wholePattern = /^\d{1,9}$/;

function SkuForm({
  initial,
  sku,
  onSending,
}: {
  initial: Values;
  sku: Sku | null;
  /** Told when a request starts and ends. */
  onSending?: (sending: boolean) => void;
}) {
  const { account } = useAccount();
  const client = useClient();
  const [, navigate] = useLocation();
  const { warehouses, problem: warehousesProblem } = useWarehouses();
  const [values, setValues] = useState(initial);
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);

  // A reorder point row for every active warehouse, and for any other warehouse the SKU already
  // has a point in (so that saving keeps it).
  const rows: WarehouseOption[] = [...warehouses];
  for (const r of sku?.reorderPoints ?? []) {
    if (!rows.some((w) => w.id === r.warehouse.id)) {
      rows.push(r.warehouse);
    }
  }
  const fields: SkuField[] = [
    'code',
    'name',
    'description',
    'barcode',
    'hsCode',
    'countryOfOrigin',
    'unitValue',
    'weight',
    'dimensions',
    'tracksLots',
    'reorderPoints',
    ...rows.map((_, i) => `reorderPoints.${i}` as const),
  ];
  const form = useFormState<SkuField>(fields);
  const currencies = [...new Set([initial.currency, ...commonCurrencies])];

  const set = <K extends keyof Values>(key: K, value: Values[K]) => setValues((v) => ({ ...v, [key]: value }));
  const setReorder = (warehouseId: string, part: 'point' | 'quantity', value: string) =>
    setValues((v) => {
      const current = v.reorder[warehouseId] ?? { point: '', quantity: '' };
      return { ...v, reorder: { ...v.reorder, [warehouseId]: { ...current, [part]: value } } };
    });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending.current) {
      return;
    }
    const local: UserErrorLike[] = [];
    const at = (field: string, message: string, code = 'INVALID') => local.push({ code, field: ['input', ...field.split('.')], message });
    const v = values;
    if (!sku && v.code.trim() === '') {
      at('code', messages.client.required(t.skuForm.required.code), 'REQUIRED');
    }
    if (v.name.trim() === '') {
      at('name', messages.client.required(t.skuForm.required.name), 'REQUIRED');
    }
    const country = v.countryOfOrigin.trim().toUpperCase();
    if (country !== '' && !/^[A-Z]{2}$/.test(country)) {
      at('countryOfOrigin', t.skuForm.countryInvalid);
    }
    const amount = v.amount.trim();
    if (amount === '') {
      at('unitValue', messages.client.required(t.skuForm.required.amount), 'REQUIRED');
    } else if (!decimalPattern.test(amount)) {
      at('unitValue', t.skuForm.amountInvalid);
    }
    const weight = v.weightValue.trim();
    if (weight !== '' && (!decimalPattern.test(weight) || Number(weight) <= 0)) {
      at('weight', t.skuForm.weightInvalid);
    }
    const dims = [v.length.trim(), v.width.trim(), v.height.trim()];
    const given = dims.filter((d) => d !== '').length;
    if (given > 0 && given < 3) {
      at('dimensions', t.skuForm.dimensionsIncomplete);
    } else if (given === 3 && dims.some((d) => !decimalPattern.test(d) || Number(d) <= 0)) {
      at('dimensions', t.skuForm.dimensionInvalid);
    }
    const reorderPoints: { warehouseId: string; point: number; quantity: number }[] = [];
    const sentRows: number[] = [];
    rows.forEach((w, i) => {
      const r = v.reorder[w.id];
      const point = r?.point.trim() ?? '';
      const quantity = r?.quantity.trim() ?? '';
      if (point === '' && quantity === '') {
        return;
      }
      if (!wholePattern.test(point) || (quantity !== '' && !wholePattern.test(quantity))) {
        at(`reorderPoints.${i}`, t.common.wholeNumber);
        return;
      }
      reorderPoints.push({ warehouseId: w.id, point: Number(point), quantity: quantity === '' ? 0 : Number(quantity) });
      sentRows.push(i);
    });
    if (local.length > 0) {
      form.refuse(local);
      return;
    }

    const common = {
      name: v.name.trim(),
      description: v.description.trim() || null,
      barcode: v.barcode.trim() || null,
      hsCode: v.hsCode.trim() || null,
      countryOfOrigin: country || null,
      unitValue: { amount, currencyCode: v.currency },
      weight: weight === '' ? null : { value: weight, unit: v.weightUnit },
      dimensions: given === 0 ? null : { length: dims[0] ?? '', width: dims[1] ?? '', height: dims[2] ?? '', unit: v.lengthUnit },
      tracksLots: v.tracksLots,
      reorderPoints,
    };
    sending.current = true;
    setBusy(true);
    onSending?.(true);
    const outcome = sku
      ? mutationOutcome(
          await client.mutation(UpdateSkuMutation, { input: { skuId: sku.id, ...common } }).toPromise(),
          (d) => d.updateSku,
        )
      : mutationOutcome(
          await client
            .mutation(CreateSkuMutation, { input: { accountId: account.id, code: v.code.trim(), ...common } })
            .toPromise(),
          (d) => d.createSku,
        );
    sending.current = false;
    setBusy(false);
    if (outcome.kind !== 'ok') {
      onSending?.(false);
    }
    if (outcome.kind === 'failed') {
      form.fail(outcome.problem);
    } else if (outcome.kind === 'refused') {
      form.refuse(toFormRows(outcome.errors, ['input', 'reorderPoints'], sentRows));
    } else if (outcome.payload.sku) {
      const saved = outcome.payload.sku;
      const to = paths.sku(account.id, saved.id);
      setFlash(to, sku ? t.skuForm.saved(saved.code) : t.skuForm.created(saved.code));
      navigate(to);
    }
  }

  const e = form.errors.fields;
  const reorderErrors = rows.flatMap((_, i) => e[`reorderPoints.${i}`] ?? []);
  return (
    <section className="card card-wide" aria-label={t.skuForm.formLabel}>
      <div className="card-body">
        <FormAlert
          errors={form.errors.form}
          problem={form.problem}
          alertRef={form.alertRef}
          title={sku ? t.skuForm.notSaved : t.skuForm.notCreated}
        />
        <form ref={form.formRef} className="form form-grid" onSubmit={onSubmit} noValidate aria-label={t.skuForm.formLabel}>
          <Field label={t.sku.code} hint={sku ? t.skuForm.codeFixed : t.skuForm.codeHint} errors={e.code}>
            {(props) => (
              <input
                {...props}
                name="code"
                value={values.code}
                onChange={(ev) => set('code', ev.target.value)}
                readOnly={sku !== null}
                maxLength={64}
                autoComplete="off"
                spellCheck={false}
                required
              />
            )}
          </Field>
          <Field label={t.sku.name} hint={t.skuForm.nameHint} errors={e.name}>
            {(props) => (
              <input {...props} name="name" value={values.name} onChange={(ev) => set('name', ev.target.value)} maxLength={200} required />
            )}
          </Field>
          <div className="form-span">
            <Field label={t.common.optional(t.sku.description)} errors={e.description}>
              {(props) => (
                <textarea
                  {...props}
                  name="description"
                  rows={3}
                  value={values.description}
                  onChange={(ev) => set('description', ev.target.value)}
                />
              )}
            </Field>
          </div>
          <Field label={t.common.optional(t.sku.barcode)} hint={t.skuForm.barcodeHint} errors={e.barcode}>
            {(props) => (
              <input
                {...props}
                name="barcode"
                value={values.barcode}
                onChange={(ev) => set('barcode', ev.target.value)}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </Field>
          <Field label={t.common.optional(t.sku.hsCode)} hint={t.skuForm.hsCodeHint} errors={e.hsCode}>
            {(props) => (
              <input
                {...props}
                name="hsCode"
                value={values.hsCode}
                onChange={(ev) => set('hsCode', ev.target.value)}
                inputMode="decimal"
                autoComplete="off"
              />
            )}
          </Field>
          <Field label={t.common.optional(t.sku.countryOfOrigin)} hint={t.skuForm.countryHint} errors={e.countryOfOrigin}>
            {(props) => (
              <input
                {...props}
                name="countryOfOrigin"
                value={values.countryOfOrigin}
                onChange={(ev) => set('countryOfOrigin', ev.target.value)}
                maxLength={2}
                autoComplete="off"
                className="input-short"
              />
            )}
          </Field>

          <fieldset className="fieldset form-span" aria-describedby="unit-value-hint">
            <legend>{t.sku.unitValue}</legend>
            <p id="unit-value-hint" className="field-hint">
              {t.skuForm.unitValueHint}
            </p>
            <div className="field-row">
              <Field label={t.skuForm.amount} errors={e.unitValue}>
                {(props) => (
                  <input
                    {...props}
                    name="amount"
                    value={values.amount}
                    onChange={(ev) => set('amount', ev.target.value)}
                    inputMode="decimal"
                    autoComplete="off"
                    required
                  />
                )}
              </Field>
              <Field label={t.skuForm.currency}>
                {(props) => (
                  <select {...props} name="currency" value={values.currency} onChange={(ev) => set('currency', ev.target.value)}>
                    {currencies.map((c) => (
                      <option key={c} value={c}>
                        {formatCurrency(c)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
          </fieldset>

          <fieldset className="fieldset form-span" aria-describedby="weight-hint">
            <legend>{t.common.optional(t.sku.weight)}</legend>
            <p id="weight-hint" className="field-hint">
              {t.skuForm.weightHint}
            </p>
            <div className="field-row">
              <Field label={t.skuForm.weightValue} errors={e.weight}>
                {(props) => (
                  <input
                    {...props}
                    name="weight"
                    value={values.weightValue}
                    onChange={(ev) => set('weightValue', ev.target.value)}
                    inputMode="decimal"
                    autoComplete="off"
                  />
                )}
              </Field>
              <Field label={t.skuForm.weightUnit}>
                {(props) => (
                  <select {...props} value={values.weightUnit} onChange={(ev) => set('weightUnit', ev.target.value as WeightUnit)}>
                    {weightUnits.map((u) => (
                      <option key={u} value={u}>
                        {t.weightUnits[u]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
          </fieldset>

          <fieldset className="fieldset form-span" aria-describedby="dimensions-hint">
            <legend>{t.common.optional(t.sku.dimensions)}</legend>
            <p id="dimensions-hint" className="field-hint">
              {t.skuForm.dimensionsHint}
            </p>
            <div className="field-row">
              {(['length', 'width', 'height'] as const).map((d, i) => (
                <Field key={d} label={t.skuForm[d]} errors={i === 0 ? e.dimensions : undefined}>
                  {(props) => (
                    <input
                      {...props}
                      name={d}
                      value={values[d]}
                      onChange={(ev) => set(d, ev.target.value)}
                      inputMode="decimal"
                      autoComplete="off"
                      aria-invalid={(e.dimensions?.length ?? 0) > 0}
                    />
                  )}
                </Field>
              ))}
              <Field label={t.skuForm.lengthUnit}>
                {(props) => (
                  <select {...props} value={values.lengthUnit} onChange={(ev) => set('lengthUnit', ev.target.value as LengthUnit)}>
                    {lengthUnits.map((u) => (
                      <option key={u} value={u}>
                        {t.lengthUnits[u]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
          </fieldset>

          <div className="field field-check form-span">
            <input
              id="sku-tracks-lots"
              type="checkbox"
              name="tracksLots"
              checked={values.tracksLots}
              onChange={(ev) => set('tracksLots', ev.target.checked)}
              aria-describedby="sku-tracks-lots-hint"
            />
            <label htmlFor="sku-tracks-lots">{t.sku.tracksLots}</label>
            <p id="sku-tracks-lots-hint" className="field-hint">
              {t.skuForm.tracksLotsHint}
            </p>
          </div>

          <fieldset className="fieldset form-span" aria-describedby="reorder-hint">
            <legend>{t.common.optional(t.sku.reorderPoints)}</legend>
            <p id="reorder-hint" className="field-hint">
              {t.skuForm.reorderHint}
            </p>
            {warehousesProblem && <p className="field-errors">{t.common.warehousesFailed}</p>}
            <div className="table-wrap">
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th scope="col">{t.common.warehouse}</th>
                    <th scope="col">{t.skuForm.pointHeader}</th>
                    <th scope="col">{t.skuForm.quantityHeader}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((w, i) => {
                    const invalid = (e[`reorderPoints.${i}`]?.length ?? 0) > 0;
                    const r = values.reorder[w.id] ?? { point: '', quantity: '' };
                    return (
                      <tr key={w.id}>
                        <th scope="row">{t.common.warehouseOption(w.code, w.name)}</th>
                        <td>
                          <input
                            className="input-number"
                            aria-label={t.skuForm.point(w.code)}
                            value={r.point}
                            onChange={(ev) => setReorder(w.id, 'point', ev.target.value)}
                            inputMode="numeric"
                            aria-invalid={invalid}
                            aria-describedby={invalid ? 'reorder-errors' : undefined}
                          />
                        </td>
                        <td>
                          <input
                            className="input-number"
                            aria-label={t.skuForm.reorderQuantity(w.code)}
                            value={r.quantity}
                            onChange={(ev) => setReorder(w.id, 'quantity', ev.target.value)}
                            inputMode="numeric"
                            aria-invalid={invalid}
                            aria-describedby={invalid ? 'reorder-errors' : undefined}
                          />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {(reorderErrors.length > 0 || (e.reorderPoints?.length ?? 0) > 0) && (
              <ul id="reorder-errors" className="field-errors">
                {[...(e.reorderPoints ?? []), ...reorderErrors].map((err, i) => (
                  <li key={i}>{reorderErrorText(err, rows)}</li>
                ))}
              </ul>
            )}
          </fieldset>

          <div className="form-actions form-span">
            <button type="submit" className="button button-primary" disabled={busy}>
              {sku ? (busy ? t.skuForm.saving : t.skuForm.save) : busy ? t.skuForm.creating : t.skuForm.create}
            </button>
            <Link href={sku ? paths.sku(account.id, sku.id) : paths.inventory(account.id)} className="button button-secondary">
              {t.skuForm.cancel}
            </Link>
          </div>
        </form>
      </div>
    </section>
  );
}

/** A reorder point's error, named by its warehouse ("SZX1: …"). */
function reorderErrorText(error: UserErrorLike, rows: readonly WarehouseOption[]): string {
  const index = error.field?.[2];
  const w = index !== undefined && /^\d+$/.test(index) ? rows[Number(index)] : undefined;
  const text = userErrorText(error);
  return w ? `${w.code}: ${text}` : text;
}
