import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import type { PartnerFinancingQuery } from '../gql/graphql';
import { bps, financingMessages as t } from '../i18n/financing';
import { formatMoney } from '../i18n/messages';

export const PartnerFinancingQueryDoc = graphql(`
  query PartnerFinancing($partnerId: ID!) {
    financingQueue(partnerId: $partnerId) {
      id
      accountId
      status
      tenorDays
      requestedAmount {
        amount
        currencyCode
      }
      approvedAmount {
        amount
        currencyCode
      }
      informationResponse
      cost {
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
      risk {
        loans
        repaid
        onTimeRateBps
        exposure {
          amount
          currencyCode
        }
        collateral {
          trackingNumber
          latestEvent
          collateral {
            type
            description
            status
            value {
              amount
              currencyCode
            }
          }
          score {
            shipments
            delivered
            onTime
          }
        }
      }
    }
    financingPortfolio(partnerId: $partnerId) {
      openLoans
      repaidLoans
      outstanding {
        amount
        currencyCode
      }
      byAccount {
        key
        loans
        amount {
          amount
          currencyCode
        }
      }
      byLane {
        key
        loans
        amount {
          amount
          currencyCode
        }
      }
      byCollateralType {
        key
        loans
        amount {
          amount
          currencyCode
        }
      }
      atRisk {
        id
        accountId
      }
      overdue {
        id
        accountId
      }
    }
  }
`);

export const ApproveFinancingMutation = graphql(`
  mutation ApproveFinancing($input: ApproveFinancingRequestInput!) {
    approveFinancingRequest(input: $input) {
      request {
        id
        status
      }
      userErrors {
        code
        message
      }
    }
  }
`);

export const RejectFinancingMutation = graphql(`
  mutation RejectFinancing($input: RejectFinancingRequestInput!) {
    rejectFinancingRequest(input: $input) {
      request {
        id
        status
      }
      userErrors {
        code
        message
      }
    }
  }
`);

export const AskFinancingMutation = graphql(`
  mutation AskFinancing($input: AskFinancingInformationInput!) {
    askFinancingInformation(input: $input) {
      request {
        id
        status
      }
      userErrors {
        code
        message
      }
    }
  }
`);

export const FundFinancingMutation = graphql(`
  mutation FundFinancing($input: FundFinancingRequestInput!) {
    fundFinancingRequest(input: $input) {
      loan {
        id
        status
      }
      userErrors {
        code
        message
      }
    }
  }
`);

type QueueItem = PartnerFinancingQuery['financingQueue'][number];

/** The partner's queue of requests (with the risk picture and the decisions) and its portfolio. */
export function PartnerFinancing({ partnerId, canDecide }: { partnerId: string; canDecide: boolean }) {
  const [result, reexecute] = useQuery({ query: PartnerFinancingQueryDoc, variables: { partnerId }, requestPolicy: 'cache-and-network' });
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  return (
    <Remote value={result.data} result={result} what={t.partner.queue} onRetry={refresh}>
      {(data) => (
        <>
          <section className="card card-wide" aria-labelledby="queue-heading">
            <div className="card-header">
              <h2 id="queue-heading">{t.partner.queue}</h2>
            </div>
            {data.financingQueue.length === 0 && (
              <div className="card-body">
                <p className="muted">{t.partner.emptyQueue}</p>
              </div>
            )}
            {data.financingQueue.map((r) => (
              <QueueCard key={r.id} item={r} canDecide={canDecide} onDone={refresh} />
            ))}
          </section>
          <section className="card card-wide" aria-labelledby="portfolio-heading" data-testid="portfolio">
            <div className="card-header">
              <h2 id="portfolio-heading">{t.partner.portfolio}</h2>
            </div>
            <div className="card-body">
              <p>
                {t.partner.open}: <span data-testid="open-loans">{data.financingPortfolio.openLoans}</span> · {t.partner.repaid}:{' '}
                {data.financingPortfolio.repaidLoans} · {data.financingPortfolio.outstanding.map((m) => formatMoney(m)).join(', ')}
              </p>
              {(
                [
                  [t.partner.byAccount, data.financingPortfolio.byAccount],
                  [t.partner.byLane, data.financingPortfolio.byLane],
                  [t.partner.byType, data.financingPortfolio.byCollateralType],
                ] as const
              ).map(([title, rows]) => (
                <div key={title}>
                  <h3>{title}</h3>
                  <ul>
                    {rows.map((e) => (
                      <li key={e.key}>
                        {e.key}: {formatMoney(e.amount)} ({e.loans})
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
              <h3>{t.partner.atRisk}</h3>
              <ul>
                {data.financingPortfolio.atRisk.map((l) => (
                  <li key={l.id}>{l.id}</li>
                ))}
              </ul>
              <h3>{t.partner.overdue}</h3>
              <ul>
                {data.financingPortfolio.overdue.map((l) => (
                  <li key={l.id}>{l.id}</li>
                ))}
              </ul>
            </div>
          </section>
        </>
      )}
    </Remote>
  );
}

function QueueCard({ item: r, canDecide, onDone }: { item: QueueItem; canDecide: boolean; onDone: () => void }) {
  const [, approve] = useMutation(ApproveFinancingMutation);
  const [, reject] = useMutation(RejectFinancingMutation);
  const [, ask] = useMutation(AskFinancingMutation);
  const [, fund] = useMutation(FundFinancingMutation);
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<string[]>([]);

  async function act(run: () => Promise<{ data?: unknown; error?: { message: string } }>, field: string) {
    const res = await run();
    const payload = (res.data as Record<string, { userErrors: { message: string }[] }> | undefined)?.[field];
    const errs = payload?.userErrors.map((e) => e.message) ?? (res.error ? [res.error.message] : []);
    setErrors(errs);
    if (errs.length === 0) {
      setText('');
      onDone();
    }
  }

  const risk = r.risk;
  return (
    <div className="card-body" data-testid="queue-item" data-request-id={r.id} data-status={r.status}>
      <h3>
        {formatMoney(r.requestedAmount)} · {r.tenorDays} d · {t.requestStatuses[r.status]}
      </h3>
      <p className="muted">
        {r.accountId} · {t.cost.fee} {formatMoney(r.cost.fee)} · {t.cost.interest} {formatMoney(r.cost.interest)} · {t.cost.total}{' '}
        {formatMoney(r.cost.totalRepayable)} · {t.cost.effectiveApr} {bps(r.cost.effectiveAprBps)}
      </p>
      {r.informationResponse && <p>{r.informationResponse}</p>}
      {risk && (
        <div data-testid="risk">
          <h4>{t.partner.risk}</h4>
          <ul>
            {risk.collateral.map((c, i) => (
              <li key={i}>
                {t.collateralTypes[c.collateral.type]} {c.collateral.description} · {c.collateral.status} · {formatMoney(c.collateral.value)}
                {c.latestEvent && ` · ${c.latestEvent}`}
                {c.score && ` · ${t.partner.scorecard(c.score.onTime, c.score.delivered, c.score.shipments)}`}
              </li>
            ))}
          </ul>
          <p>
            {t.partner.history(risk.loans, risk.repaid, risk.onTimeRateBps == null ? '–' : bps(risk.onTimeRateBps))} · {t.partner.exposure}{' '}
            {formatMoney(risk.exposure)}
          </p>
        </div>
      )}
      {canDecide && (
        <div className="actions">
          {r.status !== 'APPROVED' && (
            <button type="button" className="button button-primary" onClick={() => act(() => approve({ input: { requestId: r.id } }), 'approveFinancingRequest')}>
              {t.partner.approve}
            </button>
          )}
          {r.status === 'APPROVED' && (
            <button type="button" className="button button-primary" onClick={() => act(() => fund({ input: { requestId: r.id } }), 'fundFinancingRequest')}>
              {t.partner.fund}
            </button>
          )}{' '}
          <label>
            {t.partner.reason} / {t.partner.question} <input value={text} onChange={(e) => setText(e.target.value)} name="decision-text" />
          </label>{' '}
          <button type="button" className="button" onClick={() => act(() => reject({ input: { requestId: r.id, reason: text } }), 'rejectFinancingRequest')}>
            {t.partner.reject}
          </button>{' '}
          {r.status === 'SUBMITTED' && (
            <button type="button" className="button" onClick={() => act(() => ask({ input: { requestId: r.id, question: text } }), 'askFinancingInformation')}>
              {t.partner.ask}
            </button>
          )}
        </div>
      )}
      {errors.length > 0 && (
        <div role="alert" className="callout callout-danger">
          {errors.map((e) => (
            <p key={e}>{e}</p>
          ))}
        </div>
      )}
    </div>
  );
}
