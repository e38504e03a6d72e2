import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { Link, useParams } from 'wouter';
import { canOperateWarehouse } from '../../access/access';
import { useAccount } from '../../app/account';
import { Field, FormAlert, useErrorFocus } from '../../components/Form';
import { Remote } from '../../components/Remote';
import { graphql } from '../../gql';
import type { ComplaintKind, ShipmentQuery as ShipmentQueryResult } from '../../gql/graphql';
import type { Problem } from '../../graphql/errors';
import { mutationOutcome } from '../../graphql/mutations';
import { formatCountry, formatDateTime, formatDecimal, formatMoney, type UserErrorLike } from '../../i18n/messages';
import { complaintKinds, transportMessages as t } from '../../i18n/transport';
import { transportPaths } from '../../transport/paths';
import { ShipmentStatusBadge } from '../../transport/ui';
import { PageHeader } from '../../warehousing/ui';

export const ShipmentQuery = graphql(`
  query Shipment($id: ID!) {
    shipment(id: $id) {
      id
      accountId
      reference
      trackingNumber
      status
      statusAt
      serviceName
      incoterm
      transitDaysMin
      transitDaysMax
      bookedAt
      updatedAt
      billedChargeableKg
      carrier {
        id
        name
      }
      origin {
        name
        city
        country
      }
      destination {
        name
        line1
        city
        region
        postalCode
        country
      }
      breakdown {
        total {
          amount
          currencyCode
        }
      }
      events {
        id
        status
        occurredAt
        location
        description
        source
        ignored
      }
      declaration {
        incoterm
        reasonForExport
        items {
          description
          hsCode
          originCountry
          quantity
          unitValue {
            amount
            currencyCode
          }
        }
        estimate {
          total {
            amount
            currencyCode
          }
        }
        flags {
          code
          message
        }
      }
      documents {
        kind
        fileName
        contentType
        url
      }
      complaints {
        kind
        note
        filedAt
      }
    }
  }
`);

export const ShipmentUpdatedSubscription = graphql(`
  subscription ShipmentUpdated($id: ID!) {
    shipmentUpdated(id: $id) {
      id
      accountId
      reference
      trackingNumber
      status
      statusAt
      serviceName
      incoterm
      transitDaysMin
      transitDaysMax
      bookedAt
      updatedAt
      billedChargeableKg
      carrier {
        id
        name
      }
      origin {
        name
        city
        country
      }
      destination {
        name
        line1
        city
        region
        postalCode
        country
      }
      breakdown {
        total {
          amount
          currencyCode
        }
      }
      events {
        id
        status
        occurredAt
        location
        description
        source
        ignored
      }
      declaration {
        incoterm
        reasonForExport
        items {
          description
          hsCode
          originCountry
          quantity
          unitValue {
            amount
            currencyCode
          }
        }
        estimate {
          total {
            amount
            currencyCode
          }
        }
        flags {
          code
          message
        }
      }
      documents {
        kind
        fileName
        contentType
        url
      }
      complaints {
        kind
        note
        filedAt
      }
    }
  }
`);

export const FileComplaintMutation = graphql(`
  mutation FileComplaint($input: FileComplaintInput!) {
    fileComplaint(input: $input) {
      shipment {
        id
        complaints {
          kind
          note
          filedAt
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

/** How often the page asks for news when the subscription fails. */
const pollMs = 3000;
const finalStatuses = new Set(['DELIVERED', 'RETURNED_TO_SENDER', 'LOST']);

type Shipment = NonNullable<ShipmentQueryResult['shipment']>;

/** `/accounts/:id/shipments/:shipmentId`: a shipment, its tracking timeline, declaration and documents. */
export default function ShipmentPage() {
  const { account } = useAccount();
  const { shipmentId = '' } = useParams<{ shipmentId: string }>();
  const [result, reexecute] = useQuery({ query: ShipmentQuery, variables: { id: shipmentId }, requestPolicy: 'cache-and-network' });
  const loaded = result.data?.shipment;
  const final = loaded !== null && loaded !== undefined && finalStatuses.has(loaded.status);
  // Live updates: the shipmentUpdated subscription pushes the shipment as it changes; its latest
  // value wins over the loaded one. If the socket fails, the page falls back to asking again
  // every few seconds.
  const [sub] = useSubscription({ query: ShipmentUpdatedSubscription, variables: { id: shipmentId }, pause: final });
  const pushed = sub.data?.shipmentUpdated;
  const shipment = pushed && loaded && pushed.updatedAt >= loaded.updatedAt ? pushed : loaded;
  const live = shipment !== null && shipment !== undefined && !finalStatuses.has(shipment.status);
  const polling = live && sub.error !== undefined;

  useEffect(() => {
    if (!polling) {
      return;
    }
    const timer = window.setInterval(() => reexecute({ requestPolicy: 'network-only' }), pollMs);
    return () => window.clearInterval(timer);
  }, [polling, reexecute]);

  const found = shipment && shipment.accountId === account.id ? shipment : result.data ? null : undefined;
  return (
    <Remote
      value={found}
      result={result}
      what={t.detail.what}
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      loadingLabel={t.detail.loading}
    >
      {(s) => <ShipmentView shipment={s} live={live} />}
    </Remote>
  );
}

function ShipmentView({ shipment: s, live }: { shipment: Shipment; live: boolean }) {
  const { account } = useAccount();
  return (
    <>
      <title>{t.title(s.trackingNumber, account.legalName)}</title>
      <PageHeader
        eyebrow={<Link href={transportPaths.shipments(account.id)}>{t.detail.back}</Link>}
        title={s.trackingNumber}
        lead={
          <>
            <ShipmentStatusBadge status={s.status} /> {formatDateTime(s.statusAt)}
          </>
        }
      />
      {live && <p className="muted">{t.detail.live}</p>}
      <div aria-live="polite" className="visually-hidden" data-testid="shipment-status">
        {t.statuses[s.status]}
      </div>

      <section className="card" aria-labelledby="summary-heading">
        <div className="card-header">
          <h2 id="summary-heading">{t.detail.summary}</h2>
        </div>
        <dl className="details details-2col card-body">
          <div>
            <dt>{t.detail.carrier}</dt>
            <dd>
              {s.carrier.name} · {s.serviceName}
            </dd>
          </div>
          {s.reference && (
            <div>
              <dt>{t.detail.reference}</dt>
              <dd>{s.reference}</dd>
            </div>
          )}
          <div>
            <dt>{t.detail.from}</dt>
            <dd>
              {s.origin.name}, {s.origin.city}, {formatCountry(s.origin.country)}
            </dd>
          </div>
          <div>
            <dt>{t.detail.to}</dt>
            <dd>
              {s.destination.name}, {s.destination.line1}, {s.destination.city}
              {s.destination.region ? ` ${s.destination.region}` : ''}
              {s.destination.postalCode ? ` ${s.destination.postalCode}` : ''}, {formatCountry(s.destination.country)}
            </dd>
          </div>
          <div>
            <dt>{t.detail.bookedAt}</dt>
            <dd>{formatDateTime(s.bookedAt)}</dd>
          </div>
          <div>
            <dt>{t.detail.transit}</dt>
            <dd>{t.detail.transitDays(s.transitDaysMin, s.transitDaysMax)}</dd>
          </div>
          <div>
            <dt>{t.detail.chargeable}</dt>
            <dd>{t.detail.kg(formatDecimal(s.billedChargeableKg))}</dd>
          </div>
          <div>
            <dt>{t.detail.total}</dt>
            <dd>{formatMoney(s.breakdown.total)}</dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby="timeline-heading">
        <div className="card-header">
          <h2 id="timeline-heading">{t.detail.timeline}</h2>
        </div>
        <div className="card-body">
          {s.events.length === 0 ? (
            <p className="muted" data-state="empty">
              {t.detail.noEvents}
            </p>
          ) : (
            <ol className="timeline" aria-labelledby="timeline-heading" data-testid="timeline">
              {s.events.map((e) => (
                <li key={e.id} data-status={e.status}>
                  <strong>{t.statuses[e.status]}</strong>
                  {e.ignored && <span className="muted"> ({t.detail.ignored})</span>}
                  <span className="muted table-sub">
                    {formatDateTime(e.occurredAt)}
                    {e.location ? ` · ${e.location}` : ''} · {t.sources[e.source]}
                  </span>
                  {e.description && <p>{e.description}</p>}
                </li>
              ))}
            </ol>
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="declaration-heading">
        <div className="card-header">
          <h2 id="declaration-heading">{t.detail.declaration}</h2>
        </div>
        <div className="card-body">
          {!s.declaration ? (
            <p className="muted">{t.detail.noDeclaration}</p>
          ) : (
            <>
              <dl className="details details-2col">
                <div>
                  <dt>{t.detail.incoterm}</dt>
                  <dd>{s.declaration.incoterm}</dd>
                </div>
                <div>
                  <dt>{t.detail.reason}</dt>
                  <dd>{s.declaration.reasonForExport}</dd>
                </div>
                {s.declaration.estimate && (
                  <div>
                    <dt>{t.detail.duties}</dt>
                    <dd>{formatMoney(s.declaration.estimate.total)}</dd>
                  </div>
                )}
              </dl>
              <div className="table-wrap">
                <table className="table">
                  <caption className="visually-hidden">{t.detail.items}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t.detail.description}</th>
                      <th scope="col">{t.detail.hsCode}</th>
                      <th scope="col">{t.detail.origin}</th>
                      <th scope="col" className="num">
                        {t.detail.quantity}
                      </th>
                      <th scope="col" className="num">
                        {t.detail.unitValue}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.declaration.items.map((item, i) => (
                      <tr key={i}>
                        <th scope="row">{item.description}</th>
                        <td>{item.hsCode ?? <span className="muted">{t.detail.noHsCode}</span>}</td>
                        <td>{formatCountry(item.originCountry)}</td>
                        <td className="num">{item.quantity}</td>
                        <td className="num">{formatMoney(item.unitValue)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {s.declaration.flags.length > 0 && (
                <>
                  <h3>{t.detail.flags}</h3>
                  <ul>
                    {s.declaration.flags.map((f, i) => (
                      <li key={`${f.code}-${i}`}>{f.message}</li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="documents-heading">
        <div className="card-header">
          <h2 id="documents-heading">{t.detail.documents}</h2>
        </div>
        <div className="card-body">
          {s.documents.length === 0 ? (
            <p className="muted">{t.detail.noDocuments}</p>
          ) : (
            <ul>
              {s.documents.map((d) => (
                <li key={d.kind}>
                  <a href={d.url} download={d.fileName} aria-label={t.detail.download(t.documentKinds[d.kind] ?? d.fileName)}>
                    {t.documentKinds[d.kind] ?? d.kind}
                  </a>{' '}
                  <span className="muted">{d.fileName}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </section>

      <Complaints shipment={s} />
    </>
  );
}

function Complaints({ shipment: s }: { shipment: Shipment }) {
  const { account, access, readOnly } = useAccount();
  const canFile = canOperateWarehouse(access) && !readOnly;
  const [kind, setKind] = useState<ComplaintKind>('LATE');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<UserErrorLike[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [done, setDone] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  useErrorFocus(formRef, alertRef, attempt);
  const [state, fileComplaint] = useMutation(FileComplaintMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    const res = await fileComplaint({
      input: { accountId: account.id, shipmentId: s.id, kind, note: note.trim() || null },
    });
    const outcome = mutationOutcome(res, (d) => d.fileComplaint);
    if (outcome.kind === 'ok') {
      setErrors([]);
      setProblem(null);
      setNote('');
      setDone(true);
      return;
    }
    setErrors(outcome.kind === 'refused' ? outcome.errors : []);
    setProblem(outcome.kind === 'failed' ? outcome.problem : null);
    setAttempt((a) => a + 1);
  }

  const at = (field: string) => errors.filter((e) => e.field?.at(-1) === field);
  const elsewhere = errors.filter((e) => !['kind', 'note'].includes(e.field?.at(-1) ?? ''));

  return (
    <section className="card" aria-labelledby="complaints-heading">
      <div className="card-header">
        <h2 id="complaints-heading">{t.detail.complaints}</h2>
      </div>
      <div className="card-body">
        {s.complaints.length === 0 ? (
          <p className="muted">{t.detail.noComplaints}</p>
        ) : (
          <ul data-testid="complaints">
            {s.complaints.map((c, i) => (
              <li key={i}>
                <strong>{t.complaintKinds[c.kind]}</strong> · {formatDateTime(c.filedAt)}
                {c.note && <p>{c.note}</p>}
              </li>
            ))}
          </ul>
        )}
        {canFile && (
          <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="complain-heading">
            <h3 id="complain-heading">{t.detail.complain}</h3>
            <FormAlert errors={elsewhere} problem={problem} alertRef={alertRef} title={t.detail.notDone} />
            <Field label={t.detail.kind} errors={at('kind')}>
              {(p) => (
                <select {...p} value={kind} onChange={(e) => setKind(e.target.value as ComplaintKind)}>
                  {complaintKinds.map((k) => (
                    <option key={k} value={k}>
                      {t.complaintKinds[k]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t.detail.note} errors={at('note')}>
              {(p) => <textarea {...p} value={note} onChange={(e) => setNote(e.target.value)} rows={2} />}
            </Field>
            <div className="form-actions">
              <button type="submit" className="button button-secondary" disabled={state.fetching}>
                {state.fetching ? t.detail.submitting : t.detail.submit}
              </button>
            </div>
            {done && (
              <p role="status" className="muted">
                {t.detail.filed}
              </p>
            )}
          </form>
        )}
      </div>
    </section>
  );
}
