// Pieces the warehousing pages share: the warehouses and SKU pickers, status badges, money.
import { useState, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { canOperateWarehouse } from '../access/access';
import { useAccount } from '../app/account';
import { graphql } from '../gql';
import type { FulfilmentOrderStatus, ReceiptStatus } from '../gql/graphql';
import { describeError } from '../graphql/errors';
import { formatMoney } from '../i18n/messages';
import { warehousingMessages as t } from '../i18n/warehousing';
import './warehousing.css';

/** The active warehouses, by code; the same for every account (cached once for all pages). */
export const WarehousesQuery = graphql(`
  query Warehouses {
    warehouses(first: 100) {
      nodes {
        id
        code
        name
      }
    }
  }
`);

export type WarehouseOption = { id: string; code: string; name: string };

export function useWarehouses() {
  const [result, reexecute] = useQuery({ query: WarehousesQuery });
  return {
    warehouses: result.data?.warehouses.nodes ?? [],
    fetching: result.fetching,
    problem: result.error ? describeError(result.error) : null,
    reload: () => reexecute({ requestPolicy: 'network-only' }),
  };
}

/**
 * An account's SKUs for a picker: the first 100 by code, or those matching a search. Only what
 * a picker needs, so that the query stays cheap (see the cost limits in the README).
 */
export const SkuOptionsQuery = graphql(`
  query SkuOptions($accountId: ID!, $search: String) {
    skus(accountId: $accountId, search: $search, first: 100) {
      nodes {
        id
        code
        name
        tracksLots
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`);

/** The available units of each SKU in one warehouse, for the order form's picker. */
export const WarehouseAvailabilityQuery = graphql(`
  query WarehouseAvailability($accountId: ID!, $warehouseId: ID!) {
    inventoryBalances(accountId: $accountId, filter: { warehouseId: $warehouseId }, first: 100) {
      nodes {
        sku {
          id
        }
        available
      }
    }
  }
`);

export type SkuOption = { id: string; code: string; name: string; tracksLots: boolean };

/**
 * The SKU options of a form: the first 100 by code, or those matching `search` (the form shows a
 * search box when there are more than 100). `paused` while the form is being sent: its answer
 * names SKUs, which would make urql ask for the options again just as the form goes away.
 */
export function useSkuOptions(accountId: string, paused = false) {
  const [search, setSearch] = useState('');
  const trimmed = search.trim();
  const [result, reexecute] = useQuery({
    query: SkuOptionsQuery,
    variables: { accountId, search: trimmed === '' ? null : trimmed },
    pause: paused,
  });
  return {
    options: result.data?.skus.nodes ?? [],
    /** More SKUs than the list holds, or a search under way: the form shows the search box. */
    searchable: (result.data?.skus.pageInfo.hasNextPage ?? false) || trimmed !== '',
    search,
    setSearch,
    loaded: result.data !== undefined,
    fetching: result.fetching,
    problem: result.error ? describeError(result.error) : null,
    reload: () => reexecute({ requestPolicy: 'network-only' }),
  };
}

/** The options of one line's SKU select: the list, plus the line's own SKU if the list left it out. */
export function withChosen(options: readonly SkuOption[], chosen: SkuOption | null): readonly SkuOption[] {
  return chosen && !options.some((o) => o.id === chosen.id) ? [chosen, ...options] : options;
}

/** `<option>`s of the warehouses, with an empty first one. */
export function WarehouseOptions({ warehouses, empty }: { warehouses: readonly WarehouseOption[]; empty: string }) {
  return (
    <>
      <option value="">{empty}</option>
      {warehouses.map((w) => (
        <option key={w.id} value={w.id}>
          {t.common.warehouseOption(w.code, w.name)}
        </option>
      ))}
    </>
  );
}

const orderBadge: Record<FulfilmentOrderStatus, string> = {
  PENDING: 'badge',
  BACKORDERED: 'badge badge-warning',
  RESERVED: 'badge badge-neutral',
  PICKED: 'badge badge-neutral',
  PACKED: 'badge badge-neutral',
  SHIPPED: 'badge badge-success',
  DELIVERED: 'badge badge-success',
  CANCELLED: 'badge',
};

export function OrderStatusBadge({ status }: { status: FulfilmentOrderStatus }) {
  return (
    <span className={orderBadge[status]} data-status={status}>
      {t.orderStatuses[status]}
    </span>
  );
}

const receiptBadge: Record<ReceiptStatus, string> = {
  EXPECTED: 'badge badge-neutral',
  RECEIVED: 'badge badge-warning',
  PUT_AWAY: 'badge badge-success',
  CANCELLED: 'badge',
};

export function ReceiptStatusBadge({ status }: { status: ReceiptStatus }) {
  return (
    <span className={receiptBadge[status]} data-status={status}>
      {t.receiptStatuses[status]}
    </span>
  );
}

export function LowStockBadge() {
  return <span className="badge badge-warning">{t.common.lowStock}</span>;
}

export function MoneyText({ money }: { money: { amount: string; currencyCode: string } }) {
  return <span className="num">{formatMoney(money)}</span>;
}

/** A warehouse by its code, with its name for whoever hovers or reads it aloud. */
export function WarehouseCode({ warehouse }: { warehouse: WarehouseOption }) {
  return (
    <span title={warehouse.name}>
      {warehouse.code}
      <span className="muted table-sub">{warehouse.name}</span>
    </span>
  );
}

/** Whether the viewer may change this account's warehousing now (role, and the account active). */
export function useCanOperate(): boolean {
  const { access, readOnly } = useAccount();
  return canOperateWarehouse(access) && !readOnly;
}

/** The header of a warehousing page: the account, the title, a lead and the page's main actions. */
export function PageHeader({
  title,
  lead,
  actions,
  eyebrow,
}: {
  title: ReactNode;
  lead?: ReactNode;
  actions?: ReactNode;
  eyebrow?: ReactNode;
}) {
  const { account } = useAccount();
  return (
    <div className="page-header page-header-actions">
      <div>
        <p className="eyebrow">{eyebrow ?? account.legalName}</p>
        <h1>{title}</h1>
        {lead && <p className="lead">{lead}</p>}
      </div>
      {actions && <div className="header-actions">{actions}</div>}
    </div>
  );
}

/** A link styled as a button, for "Create an order" and the like. */
export function ButtonLink({ href, children, primary = false }: { href: string; children: ReactNode; primary?: boolean }) {
  return (
    <Link href={href} className={`button ${primary ? 'button-primary' : 'button-secondary'}`}>
      {children}
    </Link>
  );
}
