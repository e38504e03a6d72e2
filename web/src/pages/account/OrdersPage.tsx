import { useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { useAccount } from '../../app/account';
import { Pager, useCursorPages } from '../../components/Pager';
import { Remote } from '../../components/Remote';
import { graphql } from '../../gql';
import type { FulfilmentOrderStatus } from '../../gql/graphql';
import { formatCount, formatCountry, formatDateTime } from '../../i18n/messages';
import { warehousingMessages as t } from '../../i18n/warehousing';
import { orderStatuses, parseStatuses, statusSearch } from '../../warehousing/filters';
import { reservation } from '../../warehousing/orders';
import { paths } from '../../warehousing/paths';
import { ButtonLink, OrderStatusBadge, PageHeader, useCanOperate } from '../../warehousing/ui';

export const FulfilmentOrdersQuery = graphql(`
  query FulfilmentOrders($accountId: ID!, $status: [FulfilmentOrderStatus!], $last: Int!, $before: String) {
    fulfilmentOrders(accountId: $accountId, status: $status, last: $last, before: $before) {
      nodes {
        id
        reference
        status
        serviceLevel
        createdAt
        warehouse {
          id
          code
          name
        }
        shipTo {
          name
          address {
            city
            country
          }
        }
        lines {
          quantity
          reserved
        }
      }
      pageInfo {
        hasPreviousPage
        startCursor
      }
    }
  }
`);

const pageSize = 20;
const orderContext = { additionalTypenames: ['FulfilmentOrder'] };

/** `/accounts/:id/orders`: the account's fulfilment orders, by status, newest first. */
export default function OrdersPage() {
  const { account } = useAccount();
  const operate = useCanOperate();
  const search = useSearch();
  const [location, navigate] = useLocation();
  const statuses = parseStatuses(search, orderStatuses);
  // The select offers one status or all; a shared link may name several, which it then shows as
  // they are (the list filters by all of them).
  const selected = statuses.length === 1 ? (statuses[0] ?? '') : statuses.length === 0 ? '' : statuses.join(',');

  return (
    <>
      <title>{t.common.title(t.orders.title, account.legalName)}</title>
      <PageHeader
        title={t.orders.title}
        lead={t.orders.lead}
        actions={
          operate && (
            <ButtonLink href={paths.newOrder(account.id)} primary>
              {t.orders.create}
            </ButtonLink>
          )
        }
      />
      <section className="card card-wide" aria-labelledby="orders-heading">
        <div className="card-header">
          <h2 id="orders-heading">{t.orders.tableLabel}</h2>
          <div className="field field-inline">
            <label htmlFor="orders-status">{t.orders.filterLabel}</label>
            <select
              id="orders-status"
              value={selected}
              onChange={(e) =>
                navigate(`${location}${statusSearch(e.target.value ? (e.target.value.split(',') as FulfilmentOrderStatus[]) : [], orderStatuses)}`)
              }
            >
              <option value="">{t.orders.allStatuses}</option>
              {statuses.length > 1 && <option value={selected}>{statuses.map((s) => t.orderStatuses[s]).join(', ')}</option>}
              {orderStatuses.map((s) => (
                <option key={s} value={s}>
                  {t.orderStatuses[s]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <OrderList key={selected} accountId={account.id} statuses={statuses} />
      </section>
    </>
  );
}

function OrderList({ accountId, statuses }: { accountId: string; statuses: FulfilmentOrderStatus[] }) {
  // The API lists orders oldest first: the last page is the newest, and "Older" pages back.
  const pages = useCursorPages();
  const [result, reexecute] = useQuery({
    query: FulfilmentOrdersQuery,
    variables: { accountId, status: statuses.length > 0 ? statuses : null, last: pageSize, before: pages.after },
    context: orderContext,
    requestPolicy: 'cache-and-network',
  });
  return (
    <Remote
      value={result.data?.fulfilmentOrders}
      result={result}
      what={t.orders.what}
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      loadingLabel={t.orders.loading}
    >
      {(orders) => (
        <>
          {orders.nodes.length === 0 ? (
            <div className="card-body empty-state" data-state="empty">
              <p>{statuses.length > 0 ? t.orders.emptyFiltered : t.orders.empty}</p>
            </div>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-labelledby="orders-heading">
                <thead>
                  <tr>
                    <th scope="col">{t.orders.order}</th>
                    <th scope="col">{t.common.status}</th>
                    <th scope="col">{t.orders.shipTo}</th>
                    <th scope="col">{t.common.warehouse}</th>
                    <th scope="col" className="num">
                      {t.orders.units}
                    </th>
                    <th scope="col">{t.orders.serviceLevel}</th>
                    <th scope="col">{t.common.created}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...orders.nodes].reverse().map((o) => {
                    const r = reservation(o.lines);
                    return (
                      <tr key={o.id} data-order={o.reference ?? o.id}>
                        <th scope="row" className="cell-primary">
                          <Link href={paths.order(accountId, o.id)}>{o.reference ?? o.id}</Link>
                          {!o.reference && <span className="muted table-sub">{t.orders.noReference}</span>}
                        </th>
                        <td>
                          <OrderStatusBadge status={o.status} />
                        </td>
                        <td>
                          {o.shipTo.name}
                          <span className="muted table-sub">
                            {o.shipTo.address.city}, {formatCountry(o.shipTo.address.country)}
                          </span>
                        </td>
                        <td title={o.warehouse.name}>{o.warehouse.code}</td>
                        <td className="num">
                          {o.status === 'BACKORDERED' ? t.orders.unitsBackordered(r.reserved, r.ordered) : formatCount(r.ordered)}
                        </td>
                        <td>{t.serviceLevels[o.serviceLevel]}</td>
                        <td>{formatDateTime(o.createdAt)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            pages={pages}
            hasNextPage={orders.pageInfo.hasPreviousPage}
            endCursor={orders.pageInfo.startCursor}
            fetching={result.fetching}
            label={t.orders.tableLabel}
            texts={t.common.historyPager}
          />
        </>
      )}
    </Remote>
  );
}
