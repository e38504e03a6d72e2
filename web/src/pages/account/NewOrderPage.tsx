import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { useAccount } from '../../app/account';
import { setFlash } from '../../components/flash';
import { Field, FormAlert } from '../../components/Form';
import { useFormState } from '../../forms/useFormState';
import { graphql } from '../../gql';
import type { ServiceLevel } from '../../gql/graphql';
import { mutationOutcome } from '../../graphql/mutations';
import { messages, type UserErrorLike } from '../../i18n/messages';
import { warehousingMessages as t } from '../../i18n/warehousing';
import { idempotencyKeys } from '../../warehousing/idempotency';
import { collectLines, lineFields, toFormRows, type LineRow } from '../../warehousing/lines';
import { LinesEditor, newLine } from '../../warehousing/LinesEditor';
import { paths } from '../../warehousing/paths';
import {
  PageHeader,
  useCanOperate,
  useWarehouses,
  WarehouseAvailabilityQuery,
  WarehouseOptions,
  type SkuOption,
} from '../../warehousing/ui';

export const CreateFulfilmentOrderMutation = graphql(`
  mutation CreateFulfilmentOrder($input: CreateFulfilmentOrderInput!) {
    createFulfilmentOrder(input: $input) {
      fulfilmentOrder {
        id
        reference
        status
        lines {
          sku {
            id
          }
          quantity
          reserved
        }
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

// Creating an order reserves stock: the inventory and SKU pages ask again.
const stockContext = { additionalTypenames: ['FulfilmentOrder', 'InventoryBalance', 'Sku', 'StockMovement'] };

const serviceLevels: readonly ServiceLevel[] = ['ECONOMY', 'STANDARD', 'EXPRESS'];

/** `/accounts/:id/orders/new`: a fulfilment order. `?sku=` starts with that SKU. */
export default function NewOrderPage() {
  const { account } = useAccount();
  const operate = useCanOperate();
  return (
    <>
      <title>{t.common.title(t.orderForm.title, account.legalName)}</title>
      <PageHeader
        eyebrow={<Link href={paths.orders(account.id)}>{t.orders.title}</Link>}
        title={t.orderForm.title}
        lead={t.orderForm.lead}
      />
      {operate ? <OrderForm /> : <p className="callout callout-info">{t.common.readOnlyRole}</p>}
    </>
  );
}

const addressKeys = ['line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const;
type AddressKey = (typeof addressKeys)[number];

interface ShipTo {
  name: string;
  phone: string;
  email: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

const emptyShipTo: ShipTo = { name: '', phone: '', email: '', line1: '', line2: '', city: '', region: '', postalCode: '', country: '' };

// Error paths of the ship-to address (`input.shipTo.address.city`) map to these field keys.
const shipToFields = ['shipTo', 'shipTo.name', 'shipTo.phone', 'shipTo.email', 'shipTo.address', ...addressKeys.map((k) => `shipTo.address.${k}`)];

function OrderForm() {
  const { account } = useAccount();
  const client = useClient();
  const [, navigate] = useLocation();
  const search = useSearch();
  const { warehouses, problem: warehousesProblem } = useWarehouses();
  const [warehouseId, setWarehouseId] = useState('');
  const [reference, setReference] = useState('');
  const [serviceLevel, setServiceLevel] = useState<ServiceLevel>('STANDARD');
  const [shipTo, setShipTo] = useState<ShipTo>(emptyShipTo);
  const [rows, setRows] = useState<LineRow[]>(() => [newLine(new URLSearchParams(search).get('sku'))]);
  const [chosen, setChosen] = useState<ReadonlyMap<string, SkuOption>>(new Map());
  const [busy, setBusy] = useState(false);
  const [retried, setRetried] = useState(false);
  // One idempotency key per request this form sends: a double click or a retry after a failure
  // sends the same key, so the server returns the first order instead of making a second.
  const keys = useMemo(() => idempotencyKeys(), []);
  const sending = useRef(false);
  const form = useFormState<string>([
    'warehouseId',
    'reference',
    'serviceLevel',
    'idempotencyKey',
    ...shipToFields,
    ...lineFields(rows.length),
  ]);

  const [availability] = useQuery({
    query: WarehouseAvailabilityQuery,
    variables: { accountId: account.id, warehouseId },
    // Paused while the order is sent: its answer would make urql ask again as the form goes away.
    pause: warehouseId === '' || busy,
    context: stockContext,
    requestPolicy: 'cache-and-network',
  });
  const available = useMemo(() => {
    if (warehouseId === '' || !availability.data) {
      return undefined;
    }
    return new Map(availability.data.inventoryBalances.nodes.map((b) => [b.sku.id, b.available]));
  }, [availability.data, warehouseId]);

  const setAddress = (key: keyof ShipTo, value: string) => setShipTo((s) => ({ ...s, [key]: value }));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // A second submit while the first is on its way does nothing (the button is disabled too).
    if (sending.current) {
      return;
    }
    const required = t.orderForm.required;
    const need = (value: string) => value.trim() === '';
    const { lines, sentRows, errors } = collectLines(rows, {
      skuRequired: messages.client.required(required.sku),
      quantityInvalid: t.common.positiveNumber,
      duplicateSku: t.orderForm.duplicateSku,
      noLines: t.orderForm.noLines,
    });
    const local: UserErrorLike[] = [];
    const at = (path: string[], message: string, code = 'REQUIRED') => local.push({ code, field: ['input', ...path], message });
    if (warehouseId === '') {
      at(['warehouseId'], messages.client.required(required.warehouse));
    }
    if (need(shipTo.name)) {
      at(['shipTo', 'name'], messages.client.required(required.name));
    }
    if (need(shipTo.line1)) {
      at(['shipTo', 'address', 'line1'], messages.client.required(required.line1));
    }
    if (need(shipTo.city)) {
      at(['shipTo', 'address', 'city'], messages.client.required(required.city));
    }
    const country = shipTo.country.trim().toUpperCase();
    if (country === '') {
      at(['shipTo', 'address', 'country'], messages.client.required(required.country));
    } else if (!/^[A-Z]{2}$/.test(country)) {
      at(['shipTo', 'address', 'country'], t.orderForm.countryInvalid, 'INVALID');
    }
    if (local.length + errors.length > 0) {
      form.refuse([...local, ...errors]);
      return;
    }
    const opt = (value: string) => value.trim() || null;
    const request = {
      accountId: account.id,
      warehouseId,
      reference: opt(reference),
      serviceLevel,
      lines,
      shipTo: {
        name: shipTo.name.trim(),
        phone: opt(shipTo.phone),
        email: opt(shipTo.email),
        address: {
          line1: shipTo.line1.trim(),
          line2: opt(shipTo.line2),
          city: shipTo.city.trim(),
          region: opt(shipTo.region),
          postalCode: opt(shipTo.postalCode),
          country,
        },
      },
    };
    const idempotencyKey = keys.keyFor(request);
    sending.current = true;
    setBusy(true);
    const result = await client
      .mutation(CreateFulfilmentOrderMutation, { input: { ...request, idempotencyKey } }, stockContext)
      .toPromise();
    sending.current = false;
    setBusy(false);
    const outcome = mutationOutcome(result, (d) => d.createFulfilmentOrder);
    if (outcome.kind === 'failed') {
      // The order may or may not exist: sending again with the same key is safe either way.
      setRetried(true);
      form.fail(outcome.problem);
    } else if (outcome.kind === 'refused') {
      form.refuse(toFormRows(outcome.errors, ['input', 'lines'], sentRows));
    } else if (outcome.payload.fulfilmentOrder) {
      keys.reset();
      const order = outcome.payload.fulfilmentOrder;
      const name = order.reference ?? order.id;
      const to = paths.order(account.id, order.id);
      setFlash(to, order.status === 'BACKORDERED' ? t.orderForm.createdBackordered(name) : t.orderForm.created(name));
      navigate(to);
    }
  }

  const e = form.errors.fields as Partial<Record<string, UserErrorLike[]>>;
  const addressErrors = (key: AddressKey) => [...(e[`shipTo.address.${key}`] ?? []), ...(key === 'line1' ? (e['shipTo.address'] ?? []) : [])];
  const label = t.orderForm;
  return (
    <section className="card card-wide" aria-label={t.orderForm.formLabel}>
      <div className="card-body">
        <FormAlert errors={form.errors.form} problem={form.problem} alertRef={form.alertRef} title={t.orderForm.notCreated} />
        {retried && form.problem && <p className="field-hint">{t.orderForm.retryNote}</p>}
        <form ref={form.formRef} className="form form-grid" onSubmit={onSubmit} noValidate aria-label={t.orderForm.formLabel}>
          <Field
            label={t.common.warehouse}
            hint={warehousesProblem ? t.common.warehousesFailed : t.orderForm.warehouseHint}
            errors={e['warehouseId']}
          >
            {(props) => (
              <select {...props} value={warehouseId} onChange={(ev) => setWarehouseId(ev.target.value)} required>
                <WarehouseOptions warehouses={warehouses} empty={t.common.chooseWarehouse} />
              </select>
            )}
          </Field>
          <Field label={t.common.optional(t.common.reference)} hint={t.orderForm.referenceHint} errors={e['reference']}>
            {(props) => (
              <input {...props} value={reference} onChange={(ev) => setReference(ev.target.value)} maxLength={100} autoComplete="off" />
            )}
          </Field>

          <fieldset className="fieldset form-span radio-group radio-row">
            <legend>{t.orderForm.serviceLevel}</legend>
            {serviceLevels.map((level) => (
              <label key={level} className="radio">
                <input
                  type="radio"
                  name="serviceLevel"
                  value={level}
                  checked={serviceLevel === level}
                  onChange={() => setServiceLevel(level)}
                />
                <span>
                  <strong>{t.serviceLevels[level]}</strong>
                  <span className="muted table-sub">{t.serviceLevelHints[level]}</span>
                </span>
              </label>
            ))}
          </fieldset>

          <fieldset className="fieldset form-span">
            <legend>{t.orderForm.shipTo}</legend>
            <div className="form-grid form-grid-inner">
              <Field label={label.recipient} errors={e['shipTo.name']}>
                {(props) => (
                  <input {...props} value={shipTo.name} onChange={(ev) => setAddress('name', ev.target.value)} autoComplete="off" required />
                )}
              </Field>
              <Field label={t.common.optional(label.phone)} errors={e['shipTo.phone']}>
                {(props) => (
                  <input {...props} type="tel" value={shipTo.phone} onChange={(ev) => setAddress('phone', ev.target.value)} autoComplete="off" />
                )}
              </Field>
              <Field label={t.common.optional(label.email)} errors={e['shipTo.email']}>
                {(props) => (
                  <input {...props} type="email" value={shipTo.email} onChange={(ev) => setAddress('email', ev.target.value)} autoComplete="off" />
                )}
              </Field>
              <Field label={label.line1} errors={addressErrors('line1')}>
                {(props) => (
                  <input {...props} value={shipTo.line1} onChange={(ev) => setAddress('line1', ev.target.value)} autoComplete="off" required />
                )}
              </Field>
              <Field label={t.common.optional(label.line2)} errors={addressErrors('line2')}>
                {(props) => <input {...props} value={shipTo.line2} onChange={(ev) => setAddress('line2', ev.target.value)} autoComplete="off" />}
              </Field>
              <Field label={label.city} errors={addressErrors('city')}>
                {(props) => (
                  <input {...props} value={shipTo.city} onChange={(ev) => setAddress('city', ev.target.value)} autoComplete="off" required />
                )}
              </Field>
              <Field label={t.common.optional(label.region)} errors={addressErrors('region')}>
                {(props) => <input {...props} value={shipTo.region} onChange={(ev) => setAddress('region', ev.target.value)} autoComplete="off" />}
              </Field>
              <Field label={t.common.optional(label.postalCode)} errors={addressErrors('postalCode')}>
                {(props) => (
                  <input {...props} value={shipTo.postalCode} onChange={(ev) => setAddress('postalCode', ev.target.value)} autoComplete="off" />
                )}
              </Field>
              <Field label={label.country} hint={label.countryHint} errors={addressErrors('country')}>
                {(props) => (
                  <input
                    {...props}
                    className="input-short"
                    value={shipTo.country}
                    onChange={(ev) => setAddress('country', ev.target.value)}
                    maxLength={2}
                    autoComplete="off"
                    required
                  />
                )}
              </Field>
            </div>
          </fieldset>

          <LinesEditor
            accountId={account.id}
            rows={rows}
            onChange={setRows}
            errors={form.errors}
            legend={t.orderForm.lines}
            hint={t.orderForm.linesHint}
            available={available}
            chosen={chosen}
            onChoose={(sku) => setChosen((m) => new Map(m).set(sku.id, sku))}
            paused={busy}
          />

          <div className="form-actions form-span">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? t.orderForm.submitting : t.orderForm.submit}
            </button>
            <Link href={paths.orders(account.id)} className="button button-secondary">
              {t.skuForm.cancel}
            </Link>
          </div>
        </form>
      </div>
    </section>
  );
}
