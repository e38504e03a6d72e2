// The seller dashboard: key figures and three charts, from ONE GraphQL request (a round trip
// is most of the time the page takes), shown above the account's details on its landing page.
import { Suspense, useMemo, useRef } from 'react';
import { useQuery } from 'urql';
import { accountPath } from '../access/access';
import { useAccount } from '../app/account';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import type { DashboardQuery as DashboardData, DashboardQueryVariables } from '../gql/graphql';
import { formatCount, formatDayShort, formatMoney, formatPercent } from '../i18n/messages';
import { portalMessages } from '../i18n/portal';
import { label, warehousingMessages } from '../i18n/warehousing';
import { RateBars, StackedColumns, type Series } from './charts';
import { groupCounts, inTransitStatuses, lastMonths, onTimeOnLanes, spendByCategory, statusGroups, sumStatuses, troubleStatuses } from './dashboard';
import { KpiTile } from './Kpi';
import { dashboardSlots } from './slots';
import './dashboard.css';

export const DashboardQuery = graphql(`
  query Dashboard($id: ID!, $fromMonth: String!) {
    account(id: $id) {
      id
      defaultCurrency
    }
    shipmentStats(accountId: $id, weeks: 8) {
      byStatus {
        status
        count
      }
      weeks {
        weekStart
        counts {
          status
          count
        }
      }
      lanes {
        origin
        destination
        shipments
      }
    }
    inventoryValuation(accountId: $id) {
      totals {
        amount
        currencyCode
      }
      lines {
        available
      }
    }
    lowStock: inventoryBalances(accountId: $id, filter: { lowStock: true }, first: 20) {
      nodes {
        available
      }
      pageInfo {
        hasNextPage
      }
    }
    spendByMonth(accountId: $id, months: 6) {
      month
      category
      amount {
        amount
        currencyCode
      }
    }
    scorecards(filter: { fromMonth: $fromMonth }) {
      carrier {
        code
        name
      }
      origin
      destination
      onTime
      delivered
    }
  }
`);

const monthCount = 6;

/** The key figures and charts of the account in the URL. */
export function Dashboard() {
  const { account } = useAccount();
  const t = portalMessages.dashboard;
  // Fixed for the page's life, so that the query's variables (and its cache key) do not move.
  const months = useMemo(() => lastMonths(new Date(), monthCount), []);
  const variables = useMemo<DashboardQueryVariables>(
    () => ({ id: account.id, fromMonth: months[0]?.key ?? '' }),
    [account.id, months],
  );
  const [result, reexecute] = useQuery({ query: DashboardQuery, variables, requestPolicy: 'cache-and-network' });
  // When the figures first showed, from the page's start: the measurement docs/PORTAL.md
  // reports (e2e/perf.mjs reads it); nothing asserts on it.
  const shownAt = useRef<number | null>(null);
  if (result.data?.shipmentStats && shownAt.current === null) {
    shownAt.current = Math.round(performance.now());
  }

  return (
    <section className="dashboard" aria-labelledby="dashboard-heading" data-shown-ms={shownAt.current ?? undefined}>
      <h2 id="dashboard-heading" className="visually-hidden">
        {t.title}
      </h2>
      <Remote
        value={result.data?.shipmentStats ? result.data : null}
        result={result}
        what={t.what}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        loadingLabel={t.loading}
      >
        {(data) => <Figures data={data} accountId={account.id} months={months.map((m) => m.key)} />}
      </Remote>
    </section>
  );
}

function Figures({ data, accountId, months }: { data: DashboardData; accountId: string; months: string[] }) {
  const t = portalMessages.dashboard;
  const stats = data.shipmentStats;
  const inTransit = sumStatuses(stats.byStatus, inTransitStatuses);
  const trouble = sumStatuses(stats.byStatus, troubleStatuses);
  const valuation = data.inventoryValuation;
  const units = valuation.lines.reduce((n, l) => n + l.available, 0);
  const low = data.lowStock.nodes.length;
  const currency = data.account?.defaultCurrency ?? valuation.totals[0]?.currencyCode ?? 'USD';

  return (
    <>
      <ul className="kpis" aria-label={t.kpis}>
        <KpiTile
          testId="kpi-inventory-value"
          label={t.inventoryValue}
          value={valuation.totals.length === 0 ? t.noValue : valuation.totals.map((m) => formatMoney(m)).join(' · ')}
          hint={t.inventoryValueHint}
          href={accountPath(accountId, 'inventory')}
          linkText={t.viewInventory}
        />
        <KpiTile
          testId="kpi-units"
          label={t.unitsAvailable}
          value={formatCount(units)}
          hint={low > 0 ? t.lowStock(low, data.lowStock.pageInfo.hasNextPage) : t.unitsAvailableHint(valuation.lines.length)}
          tone={low > 0 ? 'warning' : 'neutral'}
          href={low > 0 ? `${accountPath(accountId, 'inventory')}?low=1` : undefined}
          linkText={low > 0 ? t.viewInventory : undefined}
        />
        <KpiTile
          testId="kpi-in-transit"
          label={t.inTransit}
          value={formatCount(inTransit)}
          hint={t.inTransitHint}
          href={accountPath(accountId, 'shipments')}
          linkText={t.viewShipments}
        />
        <KpiTile
          testId="kpi-exceptions"
          label={t.exceptions}
          value={formatCount(trouble)}
          hint={trouble > 0 ? t.exceptionsHint : t.noExceptions}
          tone={trouble > 0 ? 'danger' : 'good'}
          href={trouble > 0 ? `${accountPath(accountId, 'shipments')}?status=EXCEPTION` : undefined}
          linkText={trouble > 0 ? t.viewShipments : undefined}
        />
        {dashboardSlots.map(({ key, Tile }) => (
          <Suspense key={key} fallback={null}>
            <Tile accountId={accountId} />
          </Suspense>
        ))}
      </ul>

      <div className="charts">
        <WeeklyShipments stats={stats} accountId={accountId} />
        <Spend data={data} months={months} currency={currency} />
        <OnTime data={data} />
      </div>
    </>
  );
}

const groupTones: Record<(typeof statusGroups)[number], string> = {
  booked: 'tone-neutral',
  moving: 'tone-info',
  delivered: 'tone-good',
  trouble: 'tone-danger',
};

function WeeklyShipments({ stats, accountId }: { stats: DashboardData['shipmentStats']; accountId: string }) {
  const t = portalMessages.dashboard;
  const total = stats.weeks.reduce((n, w) => n + w.counts.reduce((m, c) => m + c.count, 0), 0);
  if (total === 0) {
    return (
      <div className="chart chart-empty" data-state="empty">
        <h3 className="chart-title">{t.shipmentsByStatus}</h3>
        <p>{t.noShipments}</p>
        <a className="button button-secondary" href={`${accountPath(accountId)}/ship`}>
          {t.bookShipment}
        </a>
      </div>
    );
  }
  const series: Series[] = statusGroups.map((g) => ({ key: g, label: t.groups[g], tone: groupTones[g] }));
  return (
    <StackedColumns
      title={t.shipmentsByStatus}
      description={t.shipmentsByStatusDescription}
      categories={stats.weeks.map((w) => formatDayShort(w.weekStart))}
      series={series}
      values={stats.weeks.map((w) => {
        const g = groupCounts(w.counts);
        return statusGroups.map((k) => g[k]);
      })}
      format={formatCount}
      categoryHeader={t.week}
    />
  );
}

const categoryTones = ['tone-info', 'tone-good', 'tone-warning', 'tone-violet', 'tone-danger', 'tone-neutral'];

function Spend({ data, months, currency }: { data: DashboardData; months: string[]; currency: string }) {
  const t = portalMessages.dashboard;
  const perMonth = months.map((month) =>
    spendByCategory(
      data.spendByMonth.filter((l) => l.month === month).map((l) => ({ category: l.category, amounts: [l.amount] })),
      currency,
    ),
  );
  const categories = [...new Set(perMonth.flatMap((m) => [...m.byCategory.keys()]))].sort();
  const otherCurrencies = perMonth.some((m) => m.otherCurrencies);
  if (categories.length === 0) {
    return (
      <div className="chart chart-empty" data-state="empty">
        <h3 className="chart-title">{t.spend}</h3>
        <p>{t.noSpend}</p>
      </div>
    );
  }
  const series: Series[] = categories.map((c, i) => ({
    key: c,
    label: label(warehousingMessages.usageCategories, c),
    tone: categoryTones[i % categoryTones.length] ?? 'tone-neutral',
  }));
  return (
    <div>
      <StackedColumns
        title={t.spend}
        description={t.spendDescription}
        categories={months}
        series={series}
        // Heights only: the exact amounts are in the table and the bars' titles.
        values={perMonth.map((m) => categories.map((c) => Number(m.byCategory.get(c) ?? '0')))}
        format={(v) => formatMoney({ amount: v.toFixed(2), currencyCode: currency })}
        categoryHeader={t.month}
      />
      {otherCurrencies && <p className="muted chart-note">{t.otherCurrencies(currency)}</p>}
    </div>
  );
}

function OnTime({ data }: { data: DashboardData }) {
  const t = portalMessages.dashboard;
  const rates = onTimeOnLanes(data.scorecards, data.shipmentStats.lanes);
  if (rates.length === 0) {
    return (
      <div className="chart chart-empty" data-state="empty">
        <h3 className="chart-title">{t.onTime}</h3>
        <p>{t.noOnTime}</p>
      </div>
    );
  }
  return (
    <RateBars
      title={t.onTime}
      description={t.onTimeDescription}
      items={rates.map((r) => ({ key: r.code, label: r.name, rate: r.rate, text: formatPercent(r.rate) }))}
      labelHeader={t.carrier}
      valueHeader={t.rate}
    />
  );
}
