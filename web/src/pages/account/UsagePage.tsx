import { useMemo } from 'react';
import { useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { useAccount } from '../../app/account';
import { Pager, useCursorPages } from '../../components/Pager';
import { Remote } from '../../components/Remote';
import { graphql } from '../../gql';
import type { UsageSummaryQuery } from '../../gql/graphql';
import { formatDate, formatDateTime, formatDecimal, formatMoney } from '../../i18n/messages';
import { label, warehousingMessages as t } from '../../i18n/warehousing';
import { objectPath } from '../../warehousing/paths';
import { parsePeriod, utcDay, utcMonth, type Period, type PeriodName } from '../../warehousing/period';
import { PageHeader, useWarehouses } from '../../warehousing/ui';

export const UsageSummaryQueryDoc = graphql(`
  query UsageSummary($accountId: ID!, $dayFrom: DateTime!, $dayTo: DateTime!, $monthFrom: DateTime!, $monthTo: DateTime!) {
    today: usageTotals(accountId: $accountId, from: $dayFrom, to: $dayTo) {
      category
      code
      unit
      quantity
      amounts {
        amount
        currencyCode
      }
    }
    month: usageTotals(accountId: $accountId, from: $monthFrom, to: $monthTo) {
      category
      code
      unit
      quantity
      amounts {
        amount
        currencyCode
      }
    }
  }
`);

export const UsageRecordsQuery = graphql(`
  query UsageRecords($accountId: ID!, $filter: UsageFilter, $last: Int!, $before: String) {
    usageRecords(accountId: $accountId, filter: $filter, last: $last, before: $before) {
      nodes {
        id
        category
        code
        quantity
        unit
        amount {
          amount
          currencyCode
        }
        occurredAt
        invoiceId
        attributes {
          key
          value
        }
      }
      pageInfo {
        hasPreviousPage
        startCursor
      }
    }
  }
`);

/** The names of the objects usage records point at (SKU codes, order and receipt references). */
export const UsageObjectsQuery = graphql(`
  query UsageObjects($ids: [ID!]!) {
    nodes(ids: $ids) {
      id
      ... on Sku {
        code
      }
      ... on FulfilmentOrder {
        reference
      }
      ... on Receipt {
        reference
      }
    }
  }
`);

const pageSize = 20;
// Usage is written by receiving, orders and the daily snapshot: ask again after any of them.
const usageContext = { additionalTypenames: ['UsageRecord', 'FulfilmentOrder', 'Receipt'] };

type Total = UsageSummaryQuery['today'][number];

/**
 * `/accounts/:id/usage`: the storage and handling recorded for invoicing, today and this month
 * (UTC), and the records of either, page by page.
 */
export default function UsagePage() {
  const { account } = useAccount();
  const search = useSearch();
  const [location] = useLocation();
  const period = parsePeriod(search);
  // The periods of the page as it opened: a page left open over midnight keeps its numbers.
  const { day, month } = useMemo(() => {
    const now = new Date();
    return { day: utcDay(now), month: utcMonth(now) };
  }, []);
  const [result, reexecute] = useQuery({
    query: UsageSummaryQueryDoc,
    variables: { accountId: account.id, dayFrom: day.from, dayTo: day.to, monthFrom: month.from, monthTo: month.to },
    context: usageContext,
    requestPolicy: 'cache-and-network',
  });

  return (
    <>
      <title>{t.common.title(t.usage.title, account.legalName)}</title>
      <PageHeader title={t.usage.title} lead={t.usage.lead} />
      <Remote
        value={result.data}
        result={result}
        what={t.usage.what}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        loadingLabel={t.usage.loading}
      >
        {(data) => (
          <div className="two-columns">
            <Totals id="usage-today" title={t.usage.today} period={day} totals={data.today} />
            <Totals id="usage-month" title={t.usage.month} period={month} totals={data.month} />
          </div>
        )}
      </Remote>
      <p className="muted">{t.usage.storageNote}</p>
      <section className="card card-wide" aria-labelledby="usage-records-heading">
        <div className="card-header">
          <h2 id="usage-records-heading">{t.usage.records}</h2>
          <nav className="segmented" aria-label={t.usage.recordsFor}>
            {(['today', 'month'] as const).map((p) => (
              <Link
                key={p}
                href={`${location}${p === 'month' ? '' : '?period=today'}`}
                className="segmented-item"
                aria-current={period === p ? 'page' : undefined}
              >
                {p === 'today' ? t.usage.today : t.usage.month}
              </Link>
            ))}
          </nav>
        </div>
        <p className="card-note muted">{t.usage.recordsLead}</p>
        <Records key={period} accountId={account.id} period={period === 'today' ? day : month} name={period} />
      </section>
    </>
  );
}

function periodText(period: Period): string {
  const from = formatDate(period.from, { utc: true });
  // `to` is exclusive: the last day is the day before it.
  const last = formatDate(new Date(Date.parse(period.to) - 1).toISOString(), { utc: true });
  return t.usage.periodLabel(from, last);
}

function Totals({ id, title, period, totals }: { id: string; title: string; period: Period; totals: readonly Total[] }) {
  const text = periodText(period);
  return (
    <section className="card card-wide" aria-labelledby={`${id}-heading`} data-testid={id}>
      <div className="card-header">
        <h2 id={`${id}-heading`}>{title}</h2>
        <span className="muted">{text}</span>
      </div>
      {totals.length === 0 ? (
        <div className="card-body">
          <p className="muted">{t.usage.noUsage}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label={t.usage.totalsLabel(`${title}, ${text}`)}>
            <thead>
              <tr>
                <th scope="col">{t.usage.service}</th>
                <th scope="col" className="num">
                  {t.usage.quantity}
                </th>
                <th scope="col">{t.usage.unit}</th>
              </tr>
            </thead>
            <tbody>
              {totals.map((row) => (
                <tr key={`${row.code}/${row.unit}`} data-code={row.code}>
                  <th scope="row">
                    {label(t.usageCodes, row.code)}
                    <span className="muted table-sub">
                      {t.usageCategories[row.category]} · <code>{row.code}</code>
                    </span>
                  </th>
                  <td className="num">
                    {formatDecimal(row.quantity)}
                    {row.amounts.map((m) => (
                      <span key={m.currencyCode} className="muted table-sub">
                        {formatMoney(m)}
                      </span>
                    ))}
                  </td>
                  <td>{label(t.usageUnits, row.unit)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Records({ accountId, period, name }: { accountId: string; period: Period; name: PeriodName }) {
  const pages = useCursorPages(name);
  const { warehouses } = useWarehouses();
  const [result, reexecute] = useQuery({
    query: UsageRecordsQuery,
    // Newest first: the API lists oldest first, so the last page is the newest.
    variables: { accountId, filter: { from: period.from, to: period.to }, last: pageSize, before: pages.after },
    context: usageContext,
    requestPolicy: 'cache-and-network',
  });
  const warehouseCode = (id: string) => warehouses.find((w) => w.id === id)?.code ?? id;
  // Records name SKUs, orders and receipts by id: ask for their codes and references in one go.
  const ids = useMemo(() => {
    const set = new Set<string>();
    for (const r of result.data?.usageRecords.nodes ?? []) {
      for (const a of r.attributes) {
        if (objectPath(accountId, a.value)) {
          set.add(a.value);
        }
      }
    }
    return [...set].sort();
  }, [result.data, accountId]);
  const [objects] = useQuery({ query: UsageObjectsQuery, variables: { ids }, pause: ids.length === 0 });
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const n of objects.data?.nodes ?? []) {
      if (!n) {
        continue;
      }
      const name = 'code' in n ? n.code : 'reference' in n ? n.reference : null;
      if (name) {
        map.set(n.id, name);
      }
    }
    return map;
  }, [objects.data]);
  return (
    <Remote
      value={result.data?.usageRecords}
      result={result}
      what={t.usage.what}
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      loadingLabel={t.usage.loading}
    >
      {(records) => (
        <>
          {records.nodes.length === 0 ? (
            <div className="card-body">
              <p className="muted">{t.usage.noUsage}</p>
            </div>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label={`${t.usage.recordsLabel}: ${name === 'today' ? t.usage.today : t.usage.month}`}>
                <thead>
                  <tr>
                    <th scope="col">{t.usage.when}</th>
                    <th scope="col">{t.usage.service}</th>
                    <th scope="col" className="num">
                      {t.usage.quantity}
                    </th>
                    <th scope="col">{t.usage.details}</th>
                    <th scope="col">{t.usage.invoiced}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...records.nodes].reverse().map((r) => (
                    <tr key={r.id} data-code={r.code}>
                      <td>{formatDateTime(r.occurredAt)}</td>
                      <td>{label(t.usageCodes, r.code)}</td>
                      <td className="num">
                        {formatDecimal(r.quantity)} {label(t.usageUnits, r.unit)}
                        {r.amount && <span className="muted table-sub">{formatMoney(r.amount)}</span>}
                      </td>
                      <td>
                        <ul className="plain-list attributes">
                          {r.attributes.map((a) => {
                            const to = objectPath(accountId, a.value);
                            const value = a.key === 'warehouse' ? warehouseCode(a.value) : (names.get(a.value) ?? a.value);
                            return (
                              <li key={a.key}>
                                <span className="muted">{label(t.usage.attributeNames, a.key)}:</span>{' '}
                                {to ? <Link href={to}>{value}</Link> : value}
                              </li>
                            );
                          })}
                        </ul>
                      </td>
                      <td>{r.invoiceId ? <code>{r.invoiceId}</code> : <span className="muted">{t.usage.notInvoiced}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            pages={pages}
            hasNextPage={records.pageInfo.hasPreviousPage}
            endCursor={records.pageInfo.startCursor}
            fetching={result.fetching}
            label={t.usage.recordsLabel}
            texts={t.common.historyPager}
          />
        </>
      )}
    </Remote>
  );
}
