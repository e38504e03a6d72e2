import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useParams } from 'wouter';
import { useAccount } from '../app/account';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import { formatDateTime, formatMoney } from '../i18n/messages';
import { procurementMessages as t } from '../i18n/procurement';
import { PageHeader, useCanOperate } from '../warehousing/ui';
import { procurementPaths } from './paths';
import { Errors, QuoteStatusBadge, RfqStatusBadge, Section } from './ui';


export const RfqQuery = graphql(`
  query Rfq($id: ID!) {
    rfq(id: $id) {
      id
      title
      status
      currency
      incoterm
      responseDeadline
      showTargetPrices
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
        targetUnitPrice {
          amount
          currencyCode
        }
      }
      suppliers {
        id
        name
        score {
          percent
        }
      }
      quotes {
        id
        status
        incoterm
        revision
        onBehalf
        supplier {
          id
          name
        }
        lines {
          rfqLineId
          unitPrice {
            amount
            currencyCode
          }
          moq
          leadTimeDays
        }
      }
      comparison {
        quotes {
          rankByLandedCost
          rankByLeadTime
          rankByScore
          weightedScore
          linesCovered
          supplier {
            id
            name
            score {
              percent
            }
          }
          quote {
            id
            incoterm
            status
            lines {
              leadTimeDays
            }
            landedCost {
              goods {
                amount
                currencyCode
              }
              freight {
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
              fee {
                amount
                currencyCode
              }
              total {
                amount
                currencyCode
              }
              lines {
                rfqLineId
                perUnit {
                  amount
                  currencyCode
                }
              }
              freightCarrier
              freightService
              transitDays
              fxRates
            }
          }
        }
      }
    }
  }
`);


export const RfqActionMutation = graphql(`
  mutation RfqAction($rfqId: ID!, $send: Boolean!, $close: Boolean!, $cancel: Boolean!) {
    sendRfq(input: { rfqId: $rfqId }) @include(if: $send) {
      rfq {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
    closeRfq(input: { rfqId: $rfqId }) @include(if: $close) {
      rfq {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
    cancelRfq(input: { rfqId: $rfqId }) @include(if: $cancel) {
      rfq {
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

export const CompareQuotesMutation = graphql(`
  mutation CompareQuotes($rfqId: ID!) {
    compareSupplierQuotes(input: { rfqId: $rfqId }) {
      comparison {
        quotes {
          rankByLandedCost
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

export const AwardRfqMutation = graphql(`
  mutation AwardRfq($rfqId: ID!, $quoteId: ID!) {
    awardRfq(input: { rfqId: $rfqId, quoteId: $quoteId }) {
      purchaseOrders {
        id
        number
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

/** `/accounts/:id/procurement/rfqs/:rfqId`: the RFQ, its quotes, the landed-cost comparison and the award. */
export default function RfqPage() {
  const { account } = useAccount();
  const operate = useCanOperate();
  const { rfqId = '' } = useParams<{ rfqId: string }>();
  const [result, reexecute] = useQuery({ query: RfqQuery, variables: { id: rfqId }, context, requestPolicy: 'cache-and-network' });
  const [errors, setErrors] = useState<{ message: string }[]>([]);
  const [notice, setNotice] = useState('');
  const [compareState, compare] = useMutation(CompareQuotesMutation);
  const [, award] = useMutation(AwardRfqMutation);
  const [, act] = useMutation(RfqActionMutation);
  const reload = () => reexecute({ requestPolicy: 'network-only' });

  const report = (res: { error?: { message: string } | undefined }, ue: readonly { message: string }[] | undefined) => {
    setErrors(res.error ? [{ message: res.error.message }] : [...(ue ?? [])]);
    return !res.error && (ue ?? []).length === 0;
  };

  return (
    <Remote value={result.data?.rfq} result={result} what={t.rfq.what} onRetry={reload}>
      {(rfq) => {
        const open = rfq.status === 'OPEN' || rfq.status === 'CLOSED';
        const changeable = open || rfq.status === 'DRAFT';
        return (
          <>
            <title>{t.title(rfq.title, account.legalName)}</title>
            <PageHeader
              title={rfq.title}
              eyebrow={<Link href={procurementPaths.home(account.id)}>{t.section}</Link>}
              lead={
                <>
                  <RfqStatusBadge status={rfq.status} /> {t.incoterms[rfq.incoterm]} · {rfq.destinationWarehouse?.code} ·{' '}
                  {t.rfqs.deadline} {formatDateTime(rfq.responseDeadline)}
                </>
              }
              actions={
                operate &&
                changeable && (
                  <>
                    {rfq.status === 'DRAFT' && (
                      <button
                        type="button"
                        className="button button-primary"
                        onClick={async () => {
                          const res = await act({ rfqId: rfq.id, send: true, close: false, cancel: false }, context);
                          report(res, res.data?.sendRfq?.userErrors);
                        }}
                      >
                        {t.rfq.send}
                      </button>
                    )}
                    {rfq.status === 'OPEN' && (
                      <button
                        type="button"
                        className="button button-secondary"
                        onClick={async () => {
                          const res = await act({ rfqId: rfq.id, send: false, close: true, cancel: false }, context);
                          report(res, res.data?.closeRfq?.userErrors);
                        }}
                      >
                        {t.rfq.close}
                      </button>
                    )}
                    <button
                      type="button"
                      className="button button-secondary"
                      onClick={async () => {
                        const res = await act({ rfqId: rfq.id, send: false, close: false, cancel: true }, context);
                        report(res, res.data?.cancelRfq?.userErrors);
                      }}
                    >
                      {t.rfq.cancel}
                    </button>
                  </>
                )
              }
            />
            <Errors errors={errors} />
            {notice && (
              <p className="callout callout-success" role="status" data-testid="notice">
                {notice}
              </p>
            )}
            <Section id="lines-heading" title={t.rfqs.lines}>
              <div className="table-wrap">
                <table className="table" aria-labelledby="lines-heading">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">{t.newRfq.description}</th>
                      <th scope="col">{t.newRfq.quantity}</th>
                      <th scope="col">{t.rfq.target}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rfq.lines.map((l) => (
                      <tr key={l.id}>
                        <td>{l.id}</td>
                        <td>{l.description}</td>
                        <td className="num">
                          {l.quantity} {l.unit}
                        </td>
                        <td className="num">{l.targetUnitPrice ? formatMoney(l.targetUnitPrice) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="card-body muted">
                {t.rfq.invited}: {rfq.suppliers.map((s) => s.name).join(', ')}
              </p>
            </Section>
            <Section id="quotes-heading" title={t.rfq.quotes}>
              {rfq.quotes.length === 0 ? (
                <div className="card-body empty-state">
                  <p>{t.rfq.noQuotes}</p>
                </div>
              ) : (
                <div className="table-wrap">
                  <table className="table" aria-labelledby="quotes-heading" data-testid="quote-table">
                    <thead>
                      <tr>
                        <th scope="col">{t.pos.supplier}</th>
                        <th scope="col">{t.rfqs.status}</th>
                        <th scope="col">{t.supplier.incoterm}</th>
                        <th scope="col">{t.supplier.unitPrice}</th>
                        <th scope="col">{t.rfq.lead}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rfq.quotes.map((q) => (
                        <tr key={q.id}>
                          <td>{q.supplier?.name}</td>
                          <td>
                            <QuoteStatusBadge status={q.status} />
                          </td>
                          <td>{q.incoterm}</td>
                          <td className="num">{q.lines.map((l) => formatMoney(l.unitPrice)).join(' / ')}</td>
                          <td className="num">{t.rfq.days(Math.max(...q.lines.map((l) => l.leadTimeDays)))}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>
            <Section
              id="comparison-heading"
              title={t.rfq.comparison}
              actions={
                operate &&
                open &&
                rfq.quotes.length > 0 && (
                  <button
                    type="button"
                    className="button button-primary"
                    disabled={compareState.fetching}
                    onClick={async () => {
                      const res = await compare({ rfqId: rfq.id }, context);
                      report(res, res.data?.compareSupplierQuotes.userErrors);
                    }}
                  >
                    {compareState.fetching ? t.rfq.comparing : t.rfq.compare}
                  </button>
                )
              }
            >
              <p className="card-body muted">{t.rfq.comparisonLead}</p>
              {rfq.comparison && rfq.comparison.quotes.some((c) => c.quote.landedCost) ? (
                <div className="table-wrap">
                  <table className="table" aria-labelledby="comparison-heading" data-testid="comparison-table">
                    <thead>
                      <tr>
                        <th scope="col">{t.rfq.rankLanded}</th>
                        <th scope="col">{t.pos.supplier}</th>
                        <th scope="col">{t.rfq.goods}</th>
                        <th scope="col">{t.rfq.freight}</th>
                        <th scope="col">{t.rfq.duties}</th>
                        <th scope="col">{t.rfq.taxes}</th>
                        <th scope="col">{t.rfq.fee}</th>
                        <th scope="col">{t.rfq.total}</th>
                        <th scope="col">{t.rfq.perUnit}</th>
                        <th scope="col">{t.rfq.lead}</th>
                        <th scope="col">{t.rfq.weighted}</th>
                        <th scope="col" />
                      </tr>
                    </thead>
                    <tbody>
                      {rfq.comparison.quotes.map((c) => {
                        const l = c.quote.landedCost;
                        return (
                          <tr key={c.quote.id} data-testid="comparison-row">
                            <td className="num">{c.rankByLandedCost}</td>
                            <td>
                              {c.supplier.name}
                              <span className="muted table-sub">
                                {c.quote.incoterm}
                                {c.supplier.score.percent !== null && c.supplier.score.percent !== undefined && ` · ${t.suppliers.score} ${c.supplier.score.percent}`}
                              </span>
                            </td>
                            {l ? (
                              <>
                                <td className="num">{formatMoney(l.goods)}</td>
                                <td className="num">
                                  {formatMoney(l.freight)}
                                  {l.freightCarrier && (
                                    <span className="muted table-sub">{t.rfq.via(l.freightCarrier, l.freightService ?? '', l.transitDays)}</span>
                                  )}
                                </td>
                                <td className="num">{formatMoney(l.duties)}</td>
                                <td className="num">{formatMoney(l.taxes)}</td>
                                <td className="num">{formatMoney(l.fee)}</td>
                                <td className="num">
                                  <strong data-testid="landed-total">{formatMoney(l.total)}</strong>
                                  {l.fxRates.length > 0 && <span className="muted table-sub">{l.fxRates.join(', ')}</span>}
                                </td>
                                <td className="num">{l.lines.map((x) => formatMoney(x.perUnit)).join(' / ')}</td>
                              </>
                            ) : (
                              <td colSpan={7}>{t.rfq.notCompared}</td>
                            )}
                            <td className="num">{t.rfq.days(Math.max(...c.quote.lines.map((x) => x.leadTimeDays)))}</td>
                            <td className="num">{(c.weightedScore / 100).toFixed(0)}</td>
                            <td>
                              {operate && open && (
                                <button
                                  type="button"
                                  className="button button-secondary"
                                  onClick={async () => {
                                    const res = await award({ rfqId: rfq.id, quoteId: c.quote.id }, context);
                                    if (report(res, res.data?.awardRfq.userErrors)) {
                                      setNotice((res.data?.awardRfq.purchaseOrders ?? []).map((p) => t.rfq.awarded(p.number)).join(' '));
                                    }
                                  }}
                                >
                                  {t.rfq.award}
                                </button>
                              )}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              ) : (
                <p className="card-body">{t.rfq.notCompared}</p>
              )}
            </Section>
          </>
        );
      }}
    </Remote>
  );
}
