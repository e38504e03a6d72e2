import { useState, type FormEvent } from 'react';
import { useClient, useMutation, useQuery, useSubscription } from 'urql';
import { useAccount } from '../app/account';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import type { CollateralInput, FinancingPageQuery } from '../gql/graphql';
import { bps, financingMessages as t } from '../i18n/financing';
import { formatMoney } from '../i18n/messages';

export const FinancingPageQueryDoc = graphql(`
  query FinancingPage($accountId: ID!) {
    creditFacilities(accountId: $accountId) {
      id
      status
      limit {
        amount
        currencyCode
      }
      available {
        amount
        currencyCode
      }
      product {
        id
        name
        aprBps
        feeBps
        maxTenorDays
        graceDays
      }
    }
    financingRequests(accountId: $accountId) {
      id
      status
      tenorDays
      requestedAmount {
        amount
        currencyCode
      }
      rejectionReason
      informationRequest
    }
    loans(accountId: $accountId) {
      id
      status
      dueDate
      maturityDate
      collateralReleased
      principal {
        amount
        currencyCode
      }
      outstanding {
        amount
        currencyCode
      }
      schedule {
        dueDate
        amount {
          amount
          currencyCode
        }
      }
    }
  }
`);

/** A loan's statement, asked for when opened: its ledger is long, the list does not carry it. */
export const LoanStatementQuery = graphql(`
  query LoanStatement($id: ID!) {
    loan(id: $id) {
      id
      statement {
        balanced
        totalDebits {
          amount
          currencyCode
        }
        totalCredits {
          amount
          currencyCode
        }
        entries {
          id
          kind
          day
          lines {
            account
            debit {
              amount
              currencyCode
            }
            credit {
              amount
              currencyCode
            }
          }
        }
      }
    }
  }
`);

export const EligibleCollateralQuery = graphql(`
  query EligibleCollateral($facilityId: ID!) {
    eligibleCollateral(facilityId: $facilityId) {
      type
      id
      warehouseId
      quantity
      description
      status
      eligible
      reason
      value {
        amount
        currencyCode
      }
      advance {
        amount
        currencyCode
      }
    }
  }
`);

export const FinancingQuoteQuery = graphql(`
  query FinancingQuote($input: FinancingQuoteInput!) {
    financingQuote(input: $input) {
      quote {
        maxAdvance {
          amount
          currencyCode
        }
        cost {
          principal {
            amount
            currencyCode
          }
          fee {
            amount
            currencyCode
          }
          interest {
            amount
            currencyCode
          }
          totalRepayable {
            amount
            currencyCode
          }
          effectiveAprBps
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

export const RequestFinancingMutation = graphql(`
  mutation RequestFinancing($input: RequestFinancingInput!) {
    requestFinancing(input: $input) {
      request {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** The partner's decisions and the loans' changes, pushed over the WebSocket. */
export const FinancingUpdatedSubscription = graphql(`
  subscription FinancingUpdated($accountId: ID!) {
    financingUpdated(accountId: $accountId) {
      type
      objectId
      status
    }
  }
`);

type Facility = FinancingPageQuery['creditFacilities'][number];

/** `/accounts/:id/financing`: facilities, collateral to pledge, the request form, requests and loans. */
export default function FinancingPage() {
  const { account, access } = useAccount();
  const [result, reexecute] = useQuery({ query: FinancingPageQueryDoc, variables: { accountId: account.id }, requestPolicy: 'cache-and-network' });
  const canRequest = access.kind === 'member' && (access.role === 'OWNER' || access.role === 'FINANCE');
  // A decision or a loan's change reloads the page's data: the partner's answer shows up live.
  useSubscription({ query: FinancingUpdatedSubscription, variables: { accountId: account.id } }, (_prev, update) => {
    reexecute({ requestPolicy: 'network-only' });
    return update;
  });
  return (
    <>
      <title>{t.title(t.seller.title, account.legalName)}</title>
      <div className="page-header">
        <h1>{t.seller.title}</h1>
        <p className="lead">{t.seller.lead}</p>
      </div>
      <Remote value={result.data} result={result} what={t.seller.what} onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
        {(data) => (
          <>
            {data.creditFacilities.length === 0 && <p className="muted">{t.seller.noFacility}</p>}
            {data.creditFacilities.map((f) => (
              <FacilityCard key={f.id} facility={f} canRequest={canRequest} onDone={() => reexecute({ requestPolicy: 'network-only' })} />
            ))}
            <section className="card card-wide" aria-labelledby="requests-heading">
              <div className="card-header">
                <h2 id="requests-heading">{t.seller.requests}</h2>
              </div>
              {data.financingRequests.length === 0 ? (
                <div className="card-body">
                  <p className="muted">{t.seller.noRequests}</p>
                </div>
              ) : (
                <ul className="card-body" data-testid="financing-requests">
                  {data.financingRequests.map((r) => (
                    <li key={r.id} data-request-id={r.id} data-status={r.status}>
                      {formatMoney(r.requestedAmount)} · {r.tenorDays} d · {t.requestStatuses[r.status]}
                      {r.rejectionReason && ` · ${r.rejectionReason}`}
                      {r.informationRequest && ` · ${r.informationRequest}`}
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section className="card card-wide" aria-labelledby="loans-heading">
              <div className="card-header">
                <h2 id="loans-heading">{t.seller.loans}</h2>
              </div>
              {data.loans.length === 0 && (
                <div className="card-body">
                  <p className="muted">{t.seller.noLoans}</p>
                </div>
              )}
              {data.loans.map((l) => (
                <div className="card-body" key={l.id} data-testid="loan" data-loan-id={l.id} data-status={l.status}>
                  <h3>
                    {formatMoney(l.principal)} · {t.loanStatuses[l.status]}
                  </h3>
                  <p>
                    {t.seller.schedule}: {l.dueDate} · {formatMoney(l.outstanding)}
                  </p>
                  {l.schedule.map((s) => (
                    <p key={s.dueDate} className="muted">
                      {s.dueDate}: {formatMoney(s.amount)}
                    </p>
                  ))}
                  <Statement loanId={l.id} />
                </div>
              ))}
            </section>
          </>
        )}
      </Remote>
    </>
  );
}

function FacilityCard({ facility: f, canRequest, onDone }: { facility: Facility; canRequest: boolean; onDone: () => void }) {
  const [collateral] = useQuery({ query: EligibleCollateralQuery, variables: { facilityId: f.id }, requestPolicy: 'cache-and-network' });
  const client = useClient();
  const [picked, setPicked] = useState<Record<string, number>>({});
  const [amount, setAmount] = useState('');
  const [tenor, setTenor] = useState(String(Math.min(60, f.product.maxTenorDays)));
  const [quote, setQuote] = useState<string[] | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [sent, setSent] = useState(false);
  const [, request] = useMutation(RequestFinancingMutation);
  const list = collateral.data?.eligibleCollateral ?? [];
  const currency = f.limit.currencyCode;

  function inputs(): CollateralInput[] {
    return list
      .filter((c) => picked[`${c.type}:${c.id}:${c.warehouseId ?? ''}`] !== undefined)
      .map((c) => {
        const units = picked[`${c.type}:${c.id}:${c.warehouseId ?? ''}`];
        return c.type === 'WAREHOUSE_INVENTORY' ? { type: c.type, id: c.id, warehouseId: c.warehouseId, quantity: units } : { type: c.type, id: c.id };
      });
  }

  async function showCost() {
    const res = await client
      .query(FinancingQuoteQuery, {
        input: { facilityId: f.id, collateral: inputs(), tenorDays: Number(tenor), amount: amount ? { amount, currencyCode: currency } : null },
      }, { requestPolicy: 'network-only' })
      .toPromise();
    const p = res.data?.financingQuote;
    setErrors(p?.userErrors.map((e) => e.message) ?? (res.error ? [res.error.message] : []));
    const q = p?.quote;
    setQuote(
      q
        ? [
            `${t.cost.maxAdvance}: ${formatMoney(q.maxAdvance)}`,
            `${t.cost.principal}: ${formatMoney(q.cost.principal)}`,
            `${t.cost.fee}: ${formatMoney(q.cost.fee)}`,
            `${t.cost.interest}: ${formatMoney(q.cost.interest)}`,
            `${t.cost.total}: ${formatMoney(q.cost.totalRepayable)}`,
            `${t.cost.effectiveApr}: ${bps(q.cost.effectiveAprBps)}`,
          ]
        : null,
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSent(false);
    const res = await request({ input: { facilityId: f.id, collateral: inputs(), tenorDays: Number(tenor), amount: { amount, currencyCode: currency } } });
    const p = res.data?.requestFinancing;
    const errs = p?.userErrors.map((x) => x.message) ?? (res.error ? [res.error.message] : []);
    setErrors(errs);
    if (p?.request) {
      setSent(true);
      setPicked({});
      onDone();
    }
  }

  return (
    <section className="card card-wide" data-testid="facility" data-facility-id={f.id}>
      <div className="card-header">
        <h2>
          {t.seller.facility}: {f.product.name}
        </h2>
      </div>
      <div className="card-body">
        <p>
          {t.seller.limit} {formatMoney(f.limit)} · {t.seller.available} <span data-testid="facility-available">{formatMoney(f.available)}</span>
        </p>
        <p className="muted">{t.seller.terms(bps(f.product.aprBps), bps(f.product.feeBps), f.product.maxTenorDays, f.product.graceDays)}</p>
        <h3>{t.seller.collateral}</h3>
        <p className="muted">{t.seller.collateralLead}</p>
        {list.length === 0 && <p className="muted">{t.seller.noCollateral}</p>}
        <table className="table" data-testid="collateral">
          <tbody>
            {list.map((c) => {
              const key = `${c.type}:${c.id}:${c.warehouseId ?? ''}`;
              return (
                <tr key={key} data-collateral-id={c.id} data-type={c.type} data-eligible={String(c.eligible)}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${t.collateralTypes[c.type]} ${c.description}`}
                      disabled={!c.eligible || !canRequest}
                      checked={picked[key] !== undefined}
                      onChange={(e) => {
                        const next = { ...picked };
                        if (e.target.checked) {
                          next[key] = c.type === 'WAREHOUSE_INVENTORY' ? (c.quantity ?? 1) : 1;
                        } else {
                          delete next[key];
                        }
                        setPicked(next);
                      }}
                    />
                  </td>
                  <td>{t.collateralTypes[c.type]}</td>
                  <td>{c.description}</td>
                  <td>{c.status}</td>
                  <td>{formatMoney(c.value)}</td>
                  <td>{c.eligible ? formatMoney(c.advance) : (t.reasons[c.reason ?? ''] ?? c.reason)}</td>
                  <td>
                    {c.type === 'WAREHOUSE_INVENTORY' && picked[key] !== undefined && (
                      <input
                        type="number"
                        min={1}
                        max={c.quantity ?? 1}
                        aria-label={t.seller.units}
                        value={picked[key]}
                        onChange={(e) => setPicked({ ...picked, [key]: Number(e.target.value) })}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {canRequest && (
          <form onSubmit={submit} data-testid="request-form">
            <label>
              {t.seller.amount} ({currency}) <input name="amount" value={amount} onChange={(e) => setAmount(e.target.value)} inputMode="decimal" />
            </label>{' '}
            <label>
              {t.seller.tenor} <input name="tenor" value={tenor} onChange={(e) => setTenor(e.target.value)} inputMode="numeric" />
            </label>{' '}
            <button type="button" className="button" onClick={showCost}>
              {t.seller.showCost}
            </button>{' '}
            <button type="submit" className="button button-primary">
              {t.seller.request}
            </button>
            {quote && (
              <ul data-testid="financing-quote">
                {quote.map((q) => (
                  <li key={q}>{q}</li>
                ))}
              </ul>
            )}
            {errors.length > 0 && (
              <div role="alert" className="callout callout-danger" data-testid="financing-errors">
                {errors.map((e) => (
                  <p key={e}>{e}</p>
                ))}
              </div>
            )}
            {sent && (
              <p role="status" data-testid="financing-sent">
                {t.seller.requested}
              </p>
            )}
          </form>
        )}
      </div>
    </section>
  );
}

function Statement({ loanId }: { loanId: string }) {
  const [open, setOpen] = useState(false);
  const [result] = useQuery({ query: LoanStatementQuery, variables: { id: loanId }, pause: !open, requestPolicy: 'network-only' });
  const st = result.data?.loan?.statement;
  return (
    <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t.seller.statement}</summary>
      {st && (
        <>
          <p data-testid="statement-balanced" data-balanced={String(st.balanced)}>
            {st.balanced ? t.seller.balanced : t.seller.unbalanced} {formatMoney(st.totalDebits)} / {formatMoney(st.totalCredits)}
          </p>
          <table className="table">
            <tbody>
              {st.entries.flatMap((e) =>
                e.lines.map((ln, i) => (
                  <tr key={`${e.id}-${i}`}>
                    <td>{i === 0 ? `${e.day} ${e.kind}` : ''}</td>
                    <td>{ln.account}</td>
                    <td>{ln.debit.amount !== '0.00' ? formatMoney(ln.debit) : ''}</td>
                    <td>{ln.credit.amount !== '0.00' ? formatMoney(ln.credit) : ''}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      )}
    </details>
  );
}
