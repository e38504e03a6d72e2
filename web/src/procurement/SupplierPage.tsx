import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import type { ProcurementIncoterm, SupplierQuoteStatus } from '../gql/graphql';
import { formatDateTime, formatMoney } from '../i18n/messages';
import { incoterms, procurementMessages as t } from '../i18n/procurement';
import type { SignedInViewer } from '../session/viewer';
import { localInDays, receivedPercent, toRFC3339 } from './paths';
import { actionVars, PurchaseOrderActionMutation, type POAction } from './PurchaseOrderPage';
import { Errors, Progress, PurchaseOrderStatusBadge, QuoteStatusBadge, RfqStatusBadge, Section } from './ui';

export const SupplierWorkspaceQuery = graphql(`
  query SupplierWorkspace {
    supplierInvitations(last: 10) {
      nodes {
        id
        title
        status
        currency
        incoterm
        responseDeadline
        destinationWarehouse {
          id
          code
          name
        }
        lines {
          id
          description
          quantity
          unit
          specifications
          targetUnitPrice {
            amount
            currencyCode
          }
        }
      }
    }
    supplierPurchaseOrders(last: 20) {
      nodes {
        id
        number
        status
        total {
          amount
          currencyCode
        }
        destinationWarehouse {
          id
          code
        }
        lines {
          quantity
          received
          rejected
        }
      }
    }
  }
`);

export const MyQuoteQuery = graphql(`
  query MyQuote($id: ID!) {
    rfq(id: $id) {
      id
      quotes {
        id
        status
        revision
        incoterm
        currency
        lines {
          rfqLineId
          moq
          leadTimeDays
          unitPrice {
            amount
            currencyCode
          }
        }
      }
    }
  }
`);

export const SubmitQuoteMutation = graphql(`
  mutation SubmitQuote($input: SubmitSupplierQuoteInput!) {
    submitSupplierQuote(input: $input) {
      supplierQuote {
        id
        revision
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const context = { additionalTypenames: ['Rfq', 'SupplierQuote', 'PurchaseOrder'] };

/** `/supplier`: a supplier user's invitations, with the quote form, and its purchase orders. */
export default function SupplierPage({ viewer }: { viewer: SignedInViewer }) {
  const [result, reexecute] = useQuery({ query: SupplierWorkspaceQuery, context, requestPolicy: 'cache-and-network', pause: !viewer.supplierId });
  const [errors, setErrors] = useState<{ message: string }[]>([]);
  const [, act] = useMutation(PurchaseOrderActionMutation);
  const reload = () => reexecute({ requestPolicy: 'network-only' });
  if (!viewer.supplierId) {
    return <p className="callout">{t.supplier.notSupplier}</p>;
  }
  const run = async (id: string, action: POAction) => {
    const res = await act(actionVars(id, action), context);
    const d = res.data;
    setErrors(res.error ? [{ message: res.error.message }] : [...(d?.confirmPurchaseOrder?.userErrors ?? []), ...(d?.shipPurchaseOrder?.userErrors ?? [])]);
  };
  return (
    <>
      <title>{t.supplier.title}</title>
      <div className="page-header">
        <h1>{t.supplier.title}</h1>
        <p className="lead">{t.supplier.lead}</p>
      </div>
      <Errors errors={errors} />
      <Remote value={result.data} result={result} what={t.supplier.title} onRetry={reload}>
        {(data) => (
          <>
            <Section id="invitations-heading" title={t.supplier.invitations}>
              {data.supplierInvitations.nodes.length === 0 && (
                <div className="card-body empty-state">
                  <p>{t.supplier.noInvitations}</p>
                </div>
              )}
              {[...data.supplierInvitations.nodes].reverse().map((rfq) => (
                <article key={rfq.id} className="card-body" data-testid="invitation">
                  <h3>
                    {rfq.title} <RfqStatusBadge status={rfq.status} />
                  </h3>
                  <p className="muted">
                    {t.incoterms[rfq.incoterm]} · {rfq.destinationWarehouse?.code} · {t.rfqs.deadline} {formatDateTime(rfq.responseDeadline)}
                  </p>
                  <QuoteForm rfq={rfq} supplierId={viewer.supplierId ?? ''} />
                </article>
              ))}
            </Section>
            <Section id="supplier-pos-heading" title={t.supplier.orders}>
              {data.supplierPurchaseOrders.nodes.length === 0 ? (
                <div className="card-body empty-state">
                  <p>{t.supplier.noOrders}</p>
                </div>
              ) : (
                <div className="table-wrap">
                  <table className="table" aria-labelledby="supplier-pos-heading" data-testid="supplier-po-table">
                    <thead>
                      <tr>
                        <th scope="col">{t.pos.number}</th>
                        <th scope="col">{t.rfqs.status}</th>
                        <th scope="col">{t.po.warehouse}</th>
                        <th scope="col">{t.pos.total}</th>
                        <th scope="col">{t.pos.progress}</th>
                        <th scope="col" />
                      </tr>
                    </thead>
                    <tbody>
                      {[...data.supplierPurchaseOrders.nodes].reverse().map((p) => (
                        <tr key={p.id}>
                          <td>{p.number}</td>
                          <td>
                            <PurchaseOrderStatusBadge status={p.status} />
                          </td>
                          <td>{p.destinationWarehouse?.code}</td>
                          <td className="num">{formatMoney(p.total)}</td>
                          <td>
                            <Progress percent={receivedPercent(p.lines)} label={t.pos.progress} />
                          </td>
                          <td>
                            {p.status === 'ISSUED' && (
                              <button type="button" className="button button-secondary" onClick={() => run(p.id, 'confirm')}>
                                {t.po.confirm}
                              </button>
                            )}
                            {p.status === 'CONFIRMED' && (
                              <button type="button" className="button button-secondary" onClick={() => run(p.id, 'ship')}>
                                {t.po.ship}
                              </button>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>
          </>
        )}
      </Remote>
    </>
  );
}

type Invitation = {
  id: string;
  status: string;
  currency: string;
  incoterm: ProcurementIncoterm;
  lines: { id: string; description: string; quantity: number; unit: string; targetUnitPrice?: { amount: string; currencyCode: string } | null }[];
};

type MyQuote = {
  id: string;
  status: SupplierQuoteStatus;
  revision: number;
  lines: { rfqLineId: string; moq: number; leadTimeDays: number; unitPrice: { amount: string } }[];
};

/** The quote form of one invitation, filled with the supplier's current quote once it loaded. */
function QuoteForm({ rfq, supplierId }: { rfq: Invitation; supplierId: string }) {
  // The mutation's typenames refresh this query (urql's document cache): no manual refetch, which
  // would abort the automatic one.
  const [result] = useQuery({ query: MyQuoteQuery, variables: { id: rfq.id }, context });
  const [notice, setNotice] = useState('');
  if (!result.data) {
    return null;
  }
  const mine = result.data.rfq?.quotes[0];
  return (
    <>
      {notice && (
        <p className="callout callout-success" role="status">
          {notice}
        </p>
      )}
      <QuoteFormFields
        key={mine ? `${mine.id}-${mine.revision}` : 'new'}
        rfq={rfq}
        mine={mine}
        supplierId={supplierId}
        onDone={(revision) => setNotice(t.supplier.submitted(revision))}
      />
    </>
  );
}

function QuoteFormFields({
  rfq,
  mine,
  supplierId,
  onDone,
}: {
  rfq: Invitation;
  mine: MyQuote | undefined;
  supplierId: string;
  onDone: (revision: number) => void;
}) {
  const [currency, setCurrency] = useState(rfq.currency);
  const [incoterm, setIncoterm] = useState<ProcurementIncoterm>(rfq.incoterm);
  const [validUntil, setValidUntil] = useState(localInDays(30));
  const [prices, setPrices] = useState<Record<string, { price: string; moq: string; lead: string }>>(() =>
    Object.fromEntries(
      rfq.lines.map((l) => {
        const q = mine?.lines.find((x) => x.rfqLineId === l.id);
        return [l.id, { price: q?.unitPrice.amount ?? '', moq: q ? String(q.moq) : '', lead: q ? String(q.leadTimeDays) : '' }];
      }),
    ),
  );
  const [errors, setErrors] = useState<{ message: string }[]>([]);
  const [state, submit] = useMutation(SubmitQuoteMutation);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await submit(
      {
        input: {
          rfqId: rfq.id,
          supplierId,
          currency: currency.trim().toUpperCase(),
          incoterm,
          validUntil: toRFC3339(validUntil) ?? '',
          lines: rfq.lines
            .filter((l) => prices[l.id]?.price)
            .map((l) => ({
              rfqLineId: l.id,
              unitPrice: prices[l.id]?.price ?? '',
              moq: Number.parseInt(prices[l.id]?.moq ?? '', 10) || 0,
              leadTimeDays: Number.parseInt(prices[l.id]?.lead ?? '', 10) || 0,
            })),
        },
      },
      context,
    );
    const ue = res.data?.submitSupplierQuote.userErrors ?? [];
    setErrors(res.error ? [{ message: res.error.message }] : ue);
    const q = res.data?.submitSupplierQuote.supplierQuote;
    if (q) {
      onDone(q.revision);
    }
  };
  const set = (id: string, patch: Partial<{ price: string; moq: string; lead: string }>) =>
    setPrices((p) => ({ ...p, [id]: { price: '', moq: '', lead: '', ...p[id], ...patch } }));
  const editable = rfq.status === 'OPEN';
  return (
    <form onSubmit={onSubmit} className="form" data-testid="quote-form">
      <Errors errors={errors} />
      {mine && (
        <p>
          {t.supplier.quote}: <QuoteStatusBadge status={mine.status} />
        </p>
      )}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t.newRfq.description}</th>
              <th scope="col">{t.newRfq.quantity}</th>
              <th scope="col">{t.rfq.target}</th>
              <th scope="col">{t.supplier.unitPrice}</th>
              <th scope="col">{t.supplier.moq}</th>
              <th scope="col">{t.supplier.leadTime}</th>
            </tr>
          </thead>
          <tbody>
            {rfq.lines.map((l) => (
              <tr key={l.id}>
                <td>{l.description}</td>
                <td className="num">
                  {l.quantity} {l.unit}
                </td>
                <td className="num" data-testid="target-price">
                  {l.targetUnitPrice ? formatMoney(l.targetUnitPrice) : t.rfq.hidden}
                </td>
                <td>
                  <input aria-label={`${t.supplier.unitPrice} ${l.id}`} inputMode="decimal" value={prices[l.id]?.price ?? ''} onChange={(e) => set(l.id, { price: e.target.value })} disabled={!editable} />
                </td>
                <td>
                  <input aria-label={`${t.supplier.moq} ${l.id}`} inputMode="numeric" value={prices[l.id]?.moq ?? ''} onChange={(e) => set(l.id, { moq: e.target.value })} disabled={!editable} />
                </td>
                <td>
                  <input aria-label={`${t.supplier.leadTime} ${l.id}`} inputMode="numeric" value={prices[l.id]?.lead ?? ''} onChange={(e) => set(l.id, { lead: e.target.value })} disabled={!editable} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editable && (
        <div className="form-inline">
          <div className="field">
            <label htmlFor={`${rfq.id}-currency`}>{t.supplier.currency}</label>
            <input id={`${rfq.id}-currency`} value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${rfq.id}-incoterm`}>{t.supplier.incoterm}</label>
            <select id={`${rfq.id}-incoterm`} value={incoterm} onChange={(e) => setIncoterm(e.target.value as ProcurementIncoterm)}>
              {incoterms.map((i) => (
                <option key={i} value={i}>
                  {t.incoterms[i]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${rfq.id}-valid`}>{t.supplier.validUntil}</label>
            <input id={`${rfq.id}-valid`} type="datetime-local" value={validUntil} onChange={(e) => setValidUntil(e.target.value)} />
          </div>
          <button type="submit" className="button button-primary" disabled={state.fetching}>
            {mine ? t.supplier.revise : t.supplier.submit}
          </button>
        </div>
      )}
    </form>
  );
}
