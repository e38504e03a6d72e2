import { useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { canOperateWarehouse } from '../../access/access';
import { useAccount } from '../../app/account';
import { Pager, useCursorPages } from '../../components/Pager';
import { Remote } from '../../components/Remote';
import { graphql } from '../../gql';
import type { ShipmentStatus } from '../../gql/graphql';
import { formatCountry, formatDateTime } from '../../i18n/messages';
import { scorecardMessages, shipmentStatuses, transportMessages as t } from '../../i18n/transport';
import { parseStatus, transportPaths } from '../../transport/paths';
import { ShipmentStatusBadge } from '../../transport/ui';
import { ButtonLink, PageHeader } from '../../warehousing/ui';

export const ShipmentsQuery = graphql(`
  query Shipments($accountId: ID!, $filter: ShipmentFilter, $first: Int!, $after: String) {
    shipments(accountId: $accountId, filter: $filter, first: $first, after: $after) {
      nodes {
        id
        reference
        trackingNumber
        status
        serviceName
        bookedAt
        carrier {
          id
          name
        }
        destination {
          name
          city
          country
        }
        latestEvent {
          id
          status
          occurredAt
          location
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const pageSize = 20;
const shipmentContext = { additionalTypenames: ['Shipment'] };

/** `/accounts/:id/shipments`: the account's shipments, by status. */
export default function ShipmentsPage() {
  const { account, access, readOnly } = useAccount();
  const search = useSearch();
  const [location, navigate] = useLocation();
  const status = parseStatus(search, shipmentStatuses);
  const canShip = canOperateWarehouse(access) && !readOnly;

  return (
    <>
      <title>{t.title(t.list.title, account.legalName)}</title>
      <PageHeader
        title={t.list.title}
        lead={t.list.lead}
        actions={
          <>
            <ButtonLink href={transportPaths.scorecards(account.id)}>{scorecardMessages.link}</ButtonLink>
            {canShip && (
              <ButtonLink href={transportPaths.ship(account.id)} primary>
                {t.list.ship}
              </ButtonLink>
            )}
          </>
        }
      />
      <section className="card card-wide" aria-labelledby="shipments-heading">
        <div className="card-header">
          <h2 id="shipments-heading">{t.list.tableLabel}</h2>
          <div className="field field-inline">
            <label htmlFor="shipments-status">{t.list.filterLabel}</label>
            <select
              id="shipments-status"
              value={status ?? ''}
              onChange={(e) => navigate(`${location}${e.target.value ? `?status=${encodeURIComponent(e.target.value)}` : ''}`)}
            >
              <option value="">{t.list.allStatuses}</option>
              {shipmentStatuses.map((s) => (
                <option key={s} value={s}>
                  {t.statuses[s]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <ShipmentList key={status ?? ''} accountId={account.id} status={status} />
      </section>
    </>
  );
}

function ShipmentList({ accountId, status }: { accountId: string; status: ShipmentStatus | null }) {
  const pages = useCursorPages();
  const [result, reexecute] = useQuery({
    query: ShipmentsQuery,
    variables: { accountId, filter: status ? { status } : null, first: pageSize, after: pages.after },
    context: shipmentContext,
    requestPolicy: 'cache-and-network',
  });
  return (
    <Remote
      value={result.data?.shipments}
      result={result}
      what={t.list.what}
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      loadingLabel={t.list.loading}
    >
      {(shipments) => (
        <>
          {shipments.nodes.length === 0 ? (
            <div className="card-body empty-state" data-state="empty">
              <p>{status ? t.list.emptyFiltered : t.list.empty}</p>
            </div>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-labelledby="shipments-heading">
                <thead>
                  <tr>
                    <th scope="col">{t.list.shipment}</th>
                    <th scope="col">{t.list.status}</th>
                    <th scope="col">{t.list.carrier}</th>
                    <th scope="col">{t.list.destination}</th>
                    <th scope="col">{t.list.latest}</th>
                    <th scope="col">{t.list.booked}</th>
                  </tr>
                </thead>
                <tbody>
                  {shipments.nodes.map((s) => (
                    <tr key={s.id} data-shipment={s.trackingNumber}>
                      <th scope="row" className="cell-primary">
                        <Link href={transportPaths.shipment(accountId, s.id)}>{s.trackingNumber}</Link>
                        {s.reference && <span className="muted table-sub">{s.reference}</span>}
                      </th>
                      <td>
                        <ShipmentStatusBadge status={s.status} />
                      </td>
                      <td>
                        {s.carrier.name}
                        <span className="muted table-sub">{s.serviceName}</span>
                      </td>
                      <td>
                        {s.destination.name}
                        <span className="muted table-sub">
                          {s.destination.city}, {formatCountry(s.destination.country)}
                        </span>
                      </td>
                      <td>
                        {s.latestEvent ? (
                          <>
                            {t.statuses[s.latestEvent.status]}
                            <span className="muted table-sub">
                              {formatDateTime(s.latestEvent.occurredAt)}
                              {s.latestEvent.location ? ` · ${s.latestEvent.location}` : ''}
                            </span>
                          </>
                        ) : (
                          <span className="muted">{t.list.noEvent}</span>
                        )}
                      </td>
                      <td>{formatDateTime(s.bookedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            pages={pages}
            hasNextPage={shipments.pageInfo.hasNextPage}
            endCursor={shipments.pageInfo.endCursor}
            fetching={result.fetching}
            label={t.list.tableLabel}
            texts={t.list.pager}
          />
        </>
      )}
    </Remote>
  );
}
