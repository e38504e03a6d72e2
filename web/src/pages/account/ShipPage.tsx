import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { useLocation } from 'wouter';
import { canOperateWarehouse } from '../../access/access';
import { useAccount } from '../../app/account';
import { Field, FormAlert, useErrorFocus } from '../../components/Form';
import { NoAccess } from '../../components/States';
import { mapUserErrors } from '../../forms/userErrors';
import { graphql } from '../../gql';
import type { Incoterm, QuoteShipmentMutation as QuoteResult, QuoteSort } from '../../gql/graphql';
import type { Problem } from '../../graphql/errors';
import { mutationOutcome } from '../../graphql/mutations';
import { formatDecimal, formatMoney, messages, type UserErrorLike } from '../../i18n/messages';
import { quoteMessages as q, transportMessages as t } from '../../i18n/transport';
import { transportPaths } from '../../transport/paths';
import { newIdempotencyKey } from '../../warehousing/idempotency';
import { PageHeader, useWarehouses, WarehouseOptions } from '../../warehousing/ui';

export const QuoteShipmentMutation = graphql(`
  mutation QuoteShipment($input: QuoteShipmentInput!) {
    quoteShipment(input: $input) {
      sort
      quotes {
        id
        rank
        serviceCode
        serviceName
        mode
        transitDaysMin
        transitDaysMax
        expiresAt
        carrier {
          id
          code
          name
        }
        weights {
          chargeableKg
        }
        breakdown {
          linehaul {
            amount
            currencyCode
          }
          tierDiscount {
            amount
            currencyCode
          }
          minimumApplied
          freight {
            amount
            currencyCode
          }
          remoteArea {
            amount
            currencyCode
          }
          oversize {
            amount
            currencyCode
          }
          fuel {
            amount
            currencyCode
          }
          shipping {
            amount
            currencyCode
          }
          duties {
            amount
            currencyCode
          }
          taxes {
            amount
            currencyCode
          }
          total {
            amount
            currencyCode
          }
        }
        pool {
          discountBps
          saving {
            amount
            currencyCode
          }
          nextTierDiscountBps
          kgToNextTier
        }
        scorecard {
          shipments
          onTimeRate
          p50Days
          p90Days
          reliability
        }
        customsFlags {
          code
          message
        }
      }
      unavailable {
        carrierCode
        serviceCode
        reason
        message
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const BookShipmentMutation = graphql(`
  mutation BookShipment($input: BookShipmentInput!) {
    bookShipment(input: $input) {
      shipment {
        id
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Payload = NonNullable<QuoteResult['quoteShipment']>;
type Quote = NonNullable<Payload['quotes']>[number];

interface ParcelDraft {
  weightKg: string;
  lengthCm: string;
  widthCm: string;
  heightCm: string;
}
interface ItemDraft {
  description: string;
  hsCode: string;
  quantity: string;
  amount: string;
  currencyCode: string;
  originCountry: string;
}

const emptyParcel: ParcelDraft = { weightKg: '', lengthCm: '', widthCm: '', heightCm: '' };
const emptyItem: ItemDraft = { description: '', hsCode: '', quantity: '1', amount: '', currencyCode: 'USD', originCountry: 'CN' };
const sorts: readonly QuoteSort[] = ['BEST_VALUE', 'CHEAPEST', 'FASTEST'];
const incoterms: readonly Incoterm[] = ['DAP', 'DDP'];

const percent = (rate: number) => new Intl.NumberFormat(messages.locale, { style: 'percent', maximumFractionDigits: 0 }).format(rate);
const bps = (n: number) => percent(n / 10000);

/** `/accounts/:id/ship`: quote a shipment with every carrier, compare the ranked quotes, book one. */
export default function ShipPage() {
  const { account, access, readOnly } = useAccount();
  if (!canOperateWarehouse(access) || readOnly) {
    return <NoAccess what={q.title} />;
  }
  return (
    <>
      <title>{t.title(q.title, account.legalName)}</title>
      <PageHeader title={q.title} lead={q.lead} />
      <ShipForm accountId={account.id} />
    </>
  );
}

function ShipForm({ accountId }: { accountId: string }) {
  const { warehouses } = useWarehouses();
  const [warehouseId, setWarehouseId] = useState('');
  const [dest, setDest] = useState({ name: '', company: '', line1: '', city: '', region: '', postalCode: '', country: 'US' });
  const [parcels, setParcels] = useState<ParcelDraft[]>([{ ...emptyParcel }]);
  const [items, setItems] = useState<ItemDraft[]>([{ ...emptyItem }]);
  const [incoterm, setIncoterm] = useState<Incoterm>('DAP');
  const [sort, setSort] = useState<QuoteSort>('BEST_VALUE');
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [payload, setPayload] = useState<Payload | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const resultsRef = useRef<HTMLHeadingElement>(null);
  useErrorFocus(formRef, alertRef, attempt);
  const [state, quote] = useMutation(QuoteShipmentMutation);

  useEffect(() => {
    if (payload) {
      resultsRef.current?.focus();
    }
  }, [payload]);

  const fieldNames = [
    'originWarehouseId',
    'incoterm',
    'sort',
    'parcels',
    'contents',
    ...['name', 'company', 'line1', 'city', 'region', 'postalCode', 'country'].map((f) => `destination.${f}`),
    ...parcels.flatMap((_, i) => [`parcels.${i}`, ...['weightKg', 'lengthCm', 'widthCm', 'heightCm'].map((f) => `parcels.${i}.${f}`)]),
    ...items.flatMap((_, i) => [
      `contents.${i}`,
      ...['description', 'hsCode', 'quantity', 'unitValue', 'originCountry'].map((f) => `contents.${i}.${f}`),
    ]),
  ];
  const mapped = mapUserErrors(errors, fieldNames);
  const at = (f: string) => mapped.fields[f];

  async function submit(e: FormEvent) {
    e.preventDefault();
    const opt = (v: string) => (v.trim() === '' ? null : v.trim());
    const res = await quote({
      input: {
        accountId,
        originWarehouseId: warehouseId || null,
        destination: {
          name: dest.name.trim(),
          company: opt(dest.company),
          line1: dest.line1.trim(),
          city: dest.city.trim(),
          region: opt(dest.region),
          postalCode: opt(dest.postalCode),
          country: dest.country.trim().toUpperCase(),
        },
        parcels: parcels.map((p) => ({
          weightKg: p.weightKg.trim(),
          lengthCm: p.lengthCm.trim(),
          widthCm: p.widthCm.trim(),
          heightCm: p.heightCm.trim(),
        })),
        contents: items
          .filter((i) => i.description.trim() !== '' || i.amount.trim() !== '')
          .map((i) => ({
            description: i.description.trim(),
            hsCode: opt(i.hsCode),
            quantity: Number.parseInt(i.quantity, 10) || 0,
            unitValue: { amount: i.amount.trim(), currencyCode: i.currencyCode.trim().toUpperCase() },
            originCountry: i.originCountry.trim().toUpperCase(),
          })),
        incoterm,
        sort,
      },
    });
    const outcome = mutationOutcome(res, (d) => d.quoteShipment);
    if (outcome.kind === 'ok') {
      setErrors([]);
      setProblem(null);
      setPayload(outcome.payload);
      return;
    }
    setPayload(null);
    setErrors(outcome.kind === 'refused' ? outcome.errors : []);
    setProblem(outcome.kind === 'failed' ? outcome.problem : null);
    setAttempt((a) => a + 1);
  }

  const setParcel = (i: number, f: keyof ParcelDraft, v: string) =>
    setParcels((ps) => ps.map((p, j) => (j === i ? { ...p, [f]: v } : p)));
  const setItem = (i: number, f: keyof ItemDraft, v: string) => setItems((xs) => xs.map((x, j) => (j === i ? { ...x, [f]: v } : x)));

  return (
    <>
      <form ref={formRef} className="card" onSubmit={submit} noValidate aria-labelledby="quote-heading">
        <div className="card-header">
          <h2 id="quote-heading">{q.form}</h2>
        </div>
        <div className="card-body">
          <FormAlert errors={mapped.form} problem={problem} alertRef={alertRef} title={q.notDone} />
          <fieldset>
            <legend>{q.origin}</legend>
            <Field label={q.warehouse} errors={at('originWarehouseId')}>
              {(p) => (
                <select {...p} value={warehouseId} onChange={(e) => setWarehouseId(e.target.value)}>
                  <WarehouseOptions warehouses={warehouses} empty={q.chooseWarehouse} />
                </select>
              )}
            </Field>
          </fieldset>
          <fieldset>
            <legend>{q.destination}</legend>
            {(['name', 'company', 'line1', 'city', 'region', 'postalCode', 'country'] as const).map((f) => (
              <Field key={f} label={q[f]} errors={at(`destination.${f}`)}>
                {(p) => (
                  <input
                    {...p}
                    value={dest[f]}
                    autoComplete="off"
                    onChange={(e) => setDest((d) => ({ ...d, [f]: e.target.value }))}
                    {...(f === 'country' ? { maxLength: 2 } : {})}
                  />
                )}
              </Field>
            ))}
          </fieldset>
          <fieldset>
            <legend>{q.parcels}</legend>
            <FieldErrors errors={at('parcels')} />
            {parcels.map((parcel, i) => (
              <fieldset key={i} className="form-row" data-parcel={i}>
                <legend>{q.parcel(i + 1)}</legend>
                <FieldErrors errors={at(`parcels.${i}`)} />
                {(
                  [
                    ['weightKg', q.weight],
                    ['lengthCm', q.length],
                    ['widthCm', q.width],
                    ['heightCm', q.height],
                  ] as const
                ).map(([f, label]) => (
                  <Field key={f} label={label} errors={at(`parcels.${i}.${f}`)}>
                    {(p) => <input {...p} inputMode="decimal" value={parcel[f]} onChange={(e) => setParcel(i, f, e.target.value)} />}
                  </Field>
                ))}
                {parcels.length > 1 && (
                  <button type="button" className="button button-secondary" onClick={() => setParcels((ps) => ps.filter((_, j) => j !== i))}>
                    {q.removeParcel(i + 1)}
                  </button>
                )}
              </fieldset>
            ))}
            <button type="button" className="button button-secondary" onClick={() => setParcels((ps) => [...ps, { ...emptyParcel }])}>
              {q.addParcel}
            </button>
          </fieldset>
          <fieldset>
            <legend>{q.contents}</legend>
            <FieldErrors errors={at('contents')} />
            {items.map((item, i) => (
              <fieldset key={i} className="form-row" data-item={i}>
                <legend>{q.item(i + 1)}</legend>
                <FieldErrors errors={at(`contents.${i}`)} />
                <Field label={q.description} errors={at(`contents.${i}.description`)}>
                  {(p) => <input {...p} value={item.description} onChange={(e) => setItem(i, 'description', e.target.value)} />}
                </Field>
                <Field label={q.hsCode} hint={q.hsHint} errors={at(`contents.${i}.hsCode`)}>
                  {(p) => <input {...p} value={item.hsCode} onChange={(e) => setItem(i, 'hsCode', e.target.value)} />}
                </Field>
                <Field label={q.quantity} errors={at(`contents.${i}.quantity`)}>
                  {(p) => <input {...p} inputMode="numeric" value={item.quantity} onChange={(e) => setItem(i, 'quantity', e.target.value)} />}
                </Field>
                <Field label={q.unitValue} errors={at(`contents.${i}.unitValue`)}>
                  {(p) => <input {...p} inputMode="decimal" value={item.amount} onChange={(e) => setItem(i, 'amount', e.target.value)} />}
                </Field>
                <Field label={q.currency}>
                  {(p) => <input {...p} maxLength={3} value={item.currencyCode} onChange={(e) => setItem(i, 'currencyCode', e.target.value)} />}
                </Field>
                <Field label={q.originCountry} errors={at(`contents.${i}.originCountry`)}>
                  {(p) => <input {...p} maxLength={2} value={item.originCountry} onChange={(e) => setItem(i, 'originCountry', e.target.value)} />}
                </Field>
                {items.length > 1 && (
                  <button type="button" className="button button-secondary" onClick={() => setItems((xs) => xs.filter((_, j) => j !== i))}>
                    {q.removeItem(i + 1)}
                  </button>
                )}
              </fieldset>
            ))}
            <button type="button" className="button button-secondary" onClick={() => setItems((xs) => [...xs, { ...emptyItem }])}>
              {q.addItem}
            </button>
          </fieldset>
          <Field label={q.incoterm} errors={at('incoterm')}>
            {(p) => (
              <select {...p} value={incoterm} onChange={(e) => setIncoterm(e.target.value as Incoterm)}>
                {incoterms.map((i) => (
                  <option key={i} value={i}>
                    {q.incoterms[i]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={q.sort} errors={at('sort')}>
            {(p) => (
              <select {...p} value={sort} onChange={(e) => setSort(e.target.value as QuoteSort)}>
                {sorts.map((s) => (
                  <option key={s} value={s}>
                    {q.sorts[s]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={state.fetching}>
              {state.fetching ? q.submitting : q.submit}
            </button>
          </div>
        </div>
      </form>
      {payload && <Results accountId={accountId} payload={payload} headingRef={resultsRef} />}
    </>
  );
}

function FieldErrors({ errors }: { errors: readonly UserErrorLike[] | undefined }) {
  if (!errors || errors.length === 0) {
    return null;
  }
  return <FormAlert errors={errors} title={q.notDone} />;
}

function Results({
  accountId,
  payload,
  headingRef,
}: {
  accountId: string;
  payload: Payload;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
}) {
  const quotes = payload.quotes ?? [];
  const sort = payload.sort ?? 'BEST_VALUE';
  return (
    <section className="card card-wide" aria-labelledby="results-heading">
      <div className="card-header">
        <h2 id="results-heading" ref={headingRef} tabIndex={-1}>
          {q.results}
        </h2>
        <p className="muted">{q.rankedBy(q.sorts[sort] ?? sort)}</p>
      </div>
      <div className="card-body">
        {quotes.length === 0 ? (
          <p data-state="empty">{q.noQuotes}</p>
        ) : (
          <ol className="quote-list" aria-labelledby="results-heading">
            {quotes.map((quote) => (
              <QuoteCard key={quote.id} accountId={accountId} quote={quote} sort={sort} />
            ))}
          </ol>
        )}
        {(payload.unavailable ?? []).length > 0 && (
          <>
            <h3>{q.unavailable}</h3>
            <ul data-testid="unavailable">
              {payload.unavailable?.map((u) => (
                <li key={`${u.carrierCode}-${u.serviceCode}`}>
                  {u.carrierCode} {u.serviceCode}: {u.message}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}

function useCountdown(expiresAt: string): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return Math.max(0, Math.floor((new Date(expiresAt).getTime() - now) / 1000));
}

function QuoteCard({ accountId, quote, sort }: { accountId: string; quote: Quote; sort: string }) {
  const [, navigate] = useLocation();
  const left = useCountdown(quote.expiresAt);
  const [state, book] = useMutation(BookShipmentMutation);
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  // One key per booking attempt: a retry after a failed request (network, timeout) sends the
  // same key, so the server books at most once; a refusal forgets it.
  const key = useRef<string | null>(null);
  const b = quote.breakdown;
  const zero = (m: { amount: string }) => Number(m.amount) === 0;
  const reliability = percent(quote.scorecard.reliability);
  const reason = (q.reasons[sort] ?? q.reasons['BEST_VALUE'])!(reliability);
  const label = q.quoteLabel(quote.rank, quote.carrier.name, quote.serviceName);

  async function onBook() {
    key.current ??= newIdempotencyKey();
    const res = await book({ input: { accountId, quoteId: quote.id, idempotencyKey: key.current } });
    const outcome = mutationOutcome(res, (d) => d.bookShipment);
    if (outcome.kind === 'ok' && outcome.payload.shipment) {
      navigate(transportPaths.shipment(accountId, outcome.payload.shipment.id));
      return;
    }
    if (outcome.kind === 'refused') {
      key.current = null;
      setErrors(outcome.errors);
      setProblem(null);
    } else if (outcome.kind === 'failed') {
      setErrors([]);
      setProblem(outcome.problem);
    }
    window.setTimeout(() => alertRef.current?.focus(), 0);
  }

  return (
    <li className="quote" data-rank={quote.rank} data-carrier={quote.carrier.code} aria-label={label}>
      <h3>
        {q.rank(quote.rank)} {quote.carrier.name} · {quote.serviceName}
      </h3>
      <p className="quote-total">
        <strong>{formatMoney(b.total)}</strong> · {q.transit(quote.transitDaysMin, quote.transitDaysMax)}
      </p>
      <p className="quote-reason" data-testid="reason">
        {reason}
      </p>
      <p>
        {q.scorecard}:{' '}
        {quote.scorecard.shipments === 0 || quote.scorecard.onTimeRate === null || quote.scorecard.onTimeRate === undefined
          ? q.noHistory
          : `${q.onTime(percent(quote.scorecard.onTimeRate))} · ${q.days(quote.scorecard.p50Days, quote.scorecard.p90Days)} · ${q.shipmentsCount(quote.scorecard.shipments)}`}
      </p>
      <p data-testid="pool">
        {zero(quote.pool.saving)
          ? quote.pool.nextTierDiscountBps && quote.pool.kgToNextTier
            ? q.poolNext(formatDecimal(quote.pool.kgToNextTier), bps(quote.pool.nextTierDiscountBps))
            : q.noPool
          : q.poolSaving(formatMoney(quote.pool.saving), bps(quote.pool.discountBps))}
      </p>
      <details>
        <summary>{q.breakdown}</summary>
        <p className="muted">{q.chargeable(formatDecimal(quote.weights.chargeableKg))}</p>
        <dl className="details details-2col">
          {(
            [
              [q.linehaul, b.linehaul],
              [q.tierDiscount, b.tierDiscount],
              [q.freight, b.freight],
              [q.remoteArea, b.remoteArea],
              [q.oversize, b.oversize],
              [q.fuel, b.fuel],
              [q.shipping, b.shipping],
              [q.duties, b.duties],
              [q.taxes, b.taxes],
              [q.total, b.total],
            ] as const
          ).map(([name, money]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>
                {formatMoney(money)}
                {name === q.freight && b.minimumApplied ? ` (${q.minimumApplied})` : ''}
              </dd>
            </div>
          ))}
        </dl>
      </details>
      {quote.customsFlags.length > 0 && (
        <ul aria-label={q.flags}>
          {quote.customsFlags.map((f, i) => (
            <li key={`${f.code}-${i}`}>{f.message}</li>
          ))}
        </ul>
      )}
      <FormAlert errors={errors} problem={problem} alertRef={alertRef} title={q.bookFailed} />
      <p className="muted" aria-live="off">
        {left > 0 ? q.expiresIn(`${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`) : q.expired}
      </p>
      <button
        type="button"
        className="button button-primary"
        onClick={onBook}
        disabled={state.fetching || left === 0}
        aria-label={q.bookLabel(quote.carrier.name, quote.serviceName)}
      >
        {state.fetching ? q.booking : q.book}
      </button>
    </li>
  );
}
