import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { useAccount } from '../../app/account';
import { Pager, useCursorPages } from '../../components/Pager';
import { ProblemCallout } from '../../components/Problem';
import { Remote } from '../../components/Remote';
import { Loading } from '../../components/States';
import { graphql } from '../../gql';
import { describeError } from '../../graphql/errors';
import { formatCount, formatDateTime, formatMoney } from '../../i18n/messages';
import { warehousingMessages as t } from '../../i18n/warehousing';
import {
  inventoryMode,
  inventorySearch,
  maxSearchLength,
  narrowBalances,
  parseInventoryFilters,
  type InventoryFilters,
} from '../../warehousing/filters';
import { paths } from '../../warehousing/paths';
import { ButtonLink, LowStockBadge, PageHeader, useCanOperate, useWarehouses, WarehouseCode, WarehouseOptions } from '../../warehousing/ui';

export const InventoryBalancesQuery = graphql(`
  query InventoryBalances($accountId: ID!, $filter: InventoryBalanceFilter, $first: Int!, $after: String) {
    inventoryBalances(accountId: $accountId, filter: $filter, first: $first, after: $after) {
      nodes {
        sku {
          id
          code
          name
        }
        warehouse {
          id
          code
          name
        }
        awaitingPutaway
        onHand
        reserved
        available
        damaged
        lowStock
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const InventorySkusQuery = graphql(`
  query InventorySkus($accountId: ID!, $search: String!, $first: Int!, $after: String) {
    skus(accountId: $accountId, search: $search, first: $first, after: $after) {
      nodes {
        id
        code
        name
        balances {
          warehouse {
            id
            code
            name
          }
          awaitingPutaway
          onHand
          reserved
          available
          damaged
          lowStock
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const InventoryValuationQuery = graphql(`
  query InventoryValue($accountId: ID!) {
    inventoryValuation(accountId: $accountId) {
      totals {
        amount
        currencyCode
      }
      asOf
    }
  }
`);

// A balance row costs the API about 3 points; a SKU with its balances about 20 (see the query
// cost in the README): these sizes keep a page well inside the caller's budget.
const balancesPageSize = 25;
const skusPageSize = 10;

// Lists that hold stock numbers are asked again after any change of stock (receiving, orders),
// even when empty: urql's cache sees the types of a mutation's result.
const inventoryContext = { additionalTypenames: ['InventoryBalance', 'Sku'] };

interface Row {
  key: string;
  sku: { id: string; code: string; name: string };
  balance: {
    warehouse: { id: string; code: string; name: string };
    awaitingPutaway: number;
    onHand: number;
    reserved: number;
    available: number;
    damaged: number;
    lowStock: boolean;
  } | null;
}

/**
 * `/accounts/:id/inventory`: stock per SKU and warehouse, with search and filters in the URL, the
 * inventory value, and for operators the way to add a SKU.
 */
export default function InventoryPage() {
  const { account } = useAccount();
  const search = useSearch();
  const filters = parseInventoryFilters(search);
  const operate = useCanOperate();

  return (
    <>
      <title>{t.common.title(t.inventory.title, account.legalName)}</title>
      <PageHeader
        title={t.inventory.title}
        lead={t.inventory.lead}
        actions={
          operate && (
            <>
              <ButtonLink href={paths.newReceipt(account.id)}>{t.inventory.announce}</ButtonLink>
              <ButtonLink href={paths.newSku(account.id)} primary>
                {t.inventory.newSku}
              </ButtonLink>
            </>
          )
        }
      />
      <Valuation accountId={account.id} />
      <section className="card card-wide" aria-labelledby="inventory-heading">
        <div className="card-header">
          <h2 id="inventory-heading">{t.inventory.tableLabel}</h2>
        </div>
        {/* Keyed by the search in the URL, so that Back or a shared link shows its own text. */}
        <FilterForm key={`search:${filters.q}`} filters={filters} />
        {/* A new filter starts again at the first page. */}
        <InventoryList key={`list:${inventorySearch(filters)}`} accountId={account.id} filters={filters} />
      </section>
    </>
  );
}

function Valuation({ accountId }: { accountId: string }) {
  const [result, reexecute] = useQuery({
    query: InventoryValuationQuery,
    variables: { accountId },
    context: inventoryContext,
    requestPolicy: 'cache-and-network',
  });
  const valuation = result.data?.inventoryValuation;
  return (
    <section className="card card-wide stat-card" aria-labelledby="valuation-heading">
      <div className="card-body">
        <h2 id="valuation-heading" className="stat-label">
          {t.inventory.valuation}
        </h2>
        {valuation ? (
          <>
            {valuation.totals.length === 0 ? (
              <p className="muted">{t.inventory.valuationEmpty}</p>
            ) : (
              <ul className="stat-values" data-testid="valuation">
                {valuation.totals.map((m) => (
                  <li key={m.currencyCode} className="stat-value">
                    {formatMoney(m)}
                  </li>
                ))}
              </ul>
            )}
            <p className="muted">
              {t.inventory.valuationHint} {t.inventory.valuationAsOf(formatDateTime(valuation.asOf))}
            </p>
          </>
        ) : result.error ? (
          <ProblemCallout
            problem={{ ...describeError(result.error), title: t.inventory.valuationFailed }}
            onRetry={() => reexecute({ requestPolicy: 'network-only' })}
            retrying={result.fetching}
          />
        ) : (
          <Loading label={t.common.loading} />
        )}
      </div>
    </section>
  );
}

/** The search box applies on Enter or its button; the warehouse and low-stock filters at once. */
function FilterForm({ filters }: { filters: InventoryFilters }) {
  const [location, navigate] = useLocation();
  const { warehouses } = useWarehouses();
  const [q, setQ] = useState(filters.q);
  const apply = (next: InventoryFilters) => navigate(`${location}${inventorySearch(next)}`);
  const anySet = filters.q !== '' || filters.warehouseId !== null || filters.lowStock;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    apply({ ...filters, q });
  }

  return (
    <form role="search" aria-label={t.inventory.filters} className="filters" onSubmit={onSubmit}>
      <div className="field filter-search">
        <label htmlFor="inventory-q">{t.inventory.search}</label>
        <div className="search-row">
          <input
            id="inventory-q"
            type="search"
            name="q"
            value={q}
            maxLength={maxSearchLength}
            onChange={(e) => setQ(e.target.value)}
            aria-describedby="inventory-q-hint"
          />
          <button type="submit" className="button button-secondary">
            {t.inventory.searchButton}
          </button>
        </div>
        <p id="inventory-q-hint" className="field-hint">
          {t.inventory.searchHint}
        </p>
      </div>
      <div className="field">
        <label htmlFor="inventory-warehouse">{t.common.warehouse}</label>
        <select
          id="inventory-warehouse"
          value={filters.warehouseId ?? ''}
          onChange={(e) => apply({ ...filters, q, warehouseId: e.target.value || null })}
        >
          <WarehouseOptions warehouses={warehouses} empty={t.common.allWarehouses} />
        </select>
      </div>
      <div className="field field-check">
        <input
          id="inventory-low"
          type="checkbox"
          checked={filters.lowStock}
          onChange={(e) => apply({ ...filters, q, lowStock: e.target.checked })}
        />
        <label htmlFor="inventory-low">{t.inventory.lowStockOnly}</label>
      </div>
      {anySet && (
        <p className="filter-clear">
          <Link href={location} className="button button-secondary button-small">
            {t.inventory.clear}
          </Link>
        </p>
      )}
    </form>
  );
}

function InventoryList({ accountId, filters }: { accountId: string; filters: InventoryFilters }) {
  const mode = inventoryMode(filters);
  const pages = useCursorPages();
  const [balances, reloadBalances] = useQuery({
    query: InventoryBalancesQuery,
    variables: {
      accountId,
      filter: { warehouseId: filters.warehouseId, lowStock: filters.lowStock ? true : null },
      first: balancesPageSize,
      after: pages.after,
    },
    pause: mode.kind !== 'balances',
    context: inventoryContext,
    requestPolicy: 'cache-and-network',
  });
  const [skus, reloadSkus] = useQuery({
    query: InventorySkusQuery,
    variables: { accountId, search: filters.q, first: skusPageSize, after: pages.after },
    pause: mode.kind !== 'skus',
    context: inventoryContext,
    requestPolicy: 'cache-and-network',
  });

  if (mode.kind === 'balances') {
    const connection = balances.data?.inventoryBalances;
    return (
      <Remote
        value={connection}
        result={balances}
        what={t.inventory.what}
        onRetry={() => reloadBalances({ requestPolicy: 'network-only' })}
        loadingLabel={t.inventory.loading}
      >
        {(c) => {
          const rows: Row[] = c.nodes.map((b) => ({ key: `${b.sku.id}/${b.warehouse.id}`, sku: b.sku, balance: b }));
          const filtered = filters.warehouseId !== null || filters.lowStock;
          return (
            <>
              {rows.length === 0 ? (
                <Empty accountId={accountId} filtered={filtered} page={pages.page} />
              ) : (
                <>
                  <Table rows={rows} />
                  {!filtered && !c.pageInfo.hasNextPage && <p className="card-note muted">{t.inventory.newSkusHint}</p>}
                </>
              )}
              <Pager
                pages={pages}
                hasNextPage={c.pageInfo.hasNextPage}
                endCursor={c.pageInfo.endCursor}
                fetching={balances.fetching}
                label={t.inventory.tableLabel}
                texts={t.common.pager}
              />
            </>
          );
        }}
      </Remote>
    );
  }

  const connection = skus.data?.skus;
  return (
    <Remote
      value={connection}
      result={skus}
      what={t.inventory.what}
      onRetry={() => reloadSkus({ requestPolicy: 'network-only' })}
      loadingLabel={t.inventory.loading}
    >
      {(c) => {
        const rows: Row[] = c.nodes.flatMap((sku): Row[] => {
          const kept = mode.narrowed ? narrowBalances(sku.balances, filters) : sku.balances;
          if (kept.length === 0) {
            return mode.narrowed ? [] : [{ key: sku.id, sku, balance: null }];
          }
          return kept.map((b) => ({ key: `${sku.id}/${b.warehouse.id}`, sku, balance: b }));
        });
        return (
          <>
            {mode.narrowed && <p className="card-note muted">{t.inventory.narrowed}</p>}
            {rows.length === 0 ? (
              c.nodes.length > 0 && c.pageInfo.hasNextPage ? (
                <div className="card-body">
                  <p>{t.inventory.noMatchOnPage}</p>
                </div>
              ) : (
                <div className="card-body empty-state" data-state="empty">
                  <h3>{t.inventory.noMatchTitle}</h3>
                  {/* SKUs were found, but none has stock where the filters look. */}
                  <p>{c.nodes.length > 0 ? t.inventory.noMatch : t.inventory.noSearchMatch(filters.q)}</p>
                  <p>
                    <Link href={paths.inventory(accountId)}>{t.inventory.clear}</Link>
                  </p>
                </div>
              )
            ) : (
              <Table rows={rows} />
            )}
            <Pager
              pages={pages}
              hasNextPage={c.pageInfo.hasNextPage}
              endCursor={c.pageInfo.endCursor}
              fetching={skus.fetching}
              label={t.inventory.tableLabel}
              texts={t.common.pager}
            />
          </>
        );
      }}
    </Remote>
  );
}

function Empty({ accountId, filtered, page }: { accountId: string; filtered: boolean; page: number }) {
  const operate = useCanOperate();
  if (filtered || page > 1) {
    return (
      <div className="card-body empty-state" data-state="empty">
        <h3>{t.inventory.noMatchTitle}</h3>
        <p>{t.inventory.noMatch}</p>
        <p>
          <Link href={paths.inventory(accountId)}>{t.inventory.clear}</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="card-body empty-state" data-state="empty">
      <h3>{t.inventory.emptyTitle}</h3>
      <p>{t.inventory.empty}</p>
      <p>{operate ? t.inventory.emptyOperator : t.inventory.emptyReader}</p>
      <p className="muted">{t.inventory.newSkusHint}</p>
      {operate && (
        <p className="button-row">
          <ButtonLink href={paths.newSku(accountId)}>{t.inventory.newSku}</ButtonLink>
          <ButtonLink href={paths.newReceipt(accountId)}>{t.inventory.announce}</ButtonLink>
        </p>
      )}
    </div>
  );
}

function Table({ rows }: { rows: Row[] }) {
  const { account } = useAccount();
  return (
    <div className="table-wrap">
      <table className="table" aria-labelledby="inventory-heading">
        <thead>
          <tr>
            <th scope="col">{t.common.sku}</th>
            <th scope="col">{t.common.warehouse}</th>
            <th scope="col" className="num">
              {t.buckets.awaitingPutaway}
            </th>
            <th scope="col" className="num">
              {t.buckets.onHand}
            </th>
            <th scope="col" className="num">
              {t.buckets.reserved}
            </th>
            <th scope="col" className="num">
              {t.buckets.available}
            </th>
            <th scope="col" className="num">
              {t.buckets.damaged}
            </th>
            <th scope="col">{t.common.status}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, sku, balance }) => (
            <tr key={key} data-sku={sku.code}>
              <th scope="row" className="cell-primary">
                <Link href={paths.sku(account.id, sku.id)}>{sku.code}</Link>
                <span className="muted table-sub">{sku.name}</span>
              </th>
              {balance ? (
                <>
                  <td>
                    <WarehouseCode warehouse={balance.warehouse} />
                  </td>
                  <td className="num">{formatCount(balance.awaitingPutaway)}</td>
                  <td className="num">{formatCount(balance.onHand)}</td>
                  <td className="num">{formatCount(balance.reserved)}</td>
                  <td className="num num-strong" data-bucket="available">
                    {formatCount(balance.available)}
                  </td>
                  <td className="num">{formatCount(balance.damaged)}</td>
                  <td>{balance.lowStock && <LowStockBadge />}</td>
                </>
              ) : (
                <td colSpan={7} className="muted">
                  {t.inventory.noStock}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
