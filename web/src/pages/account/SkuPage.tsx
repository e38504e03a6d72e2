import { useState } from 'react';
import { useQuery } from 'urql';
import { Link, useParams } from 'wouter';
import { useAccount } from '../../app/account';
import { useFlash } from '../../components/flash';
import { Pager, useCursorPages } from '../../components/Pager';
import { Remote } from '../../components/Remote';
import { NoAccess } from '../../components/States';
import { graphql } from '../../gql';
import type { SkuDetailQuery } from '../../gql/graphql';
import { formatChange, formatCount, formatCountry, formatDateTime, formatDecimal } from '../../i18n/messages';
import { warehousingMessages as t } from '../../i18n/warehousing';
import { useSession } from '../../session/Session';
import { objectPath, paths } from '../../warehousing/paths';
import { deltaParts, stockBuckets, sumBalances } from '../../warehousing/stock';
import { ButtonLink, LowStockBadge, MoneyText, PageHeader, useCanOperate } from '../../warehousing/ui';

export const SkuDetailQueryDoc = graphql(`
  query SkuDetail($id: ID!) {
    sku(id: $id) {
      id
      accountId
      code
      name
      description
      barcode
      hsCode
      countryOfOrigin
      unitValue {
        amount
        currencyCode
      }
      weight {
        value
        unit
      }
      dimensions {
        length
        width
        height
        unit
        cubicMetres
      }
      tracksLots
      reorderPoints {
        warehouse {
          id
          code
          name
        }
        point
        quantity
      }
      balances {
        warehouse {
          id
          code
          name
        }
        awaitingPutaway
        onHand
        reserved
        pledged
        available
        picked
        damaged
        inTransferOut
        inTransferIn
        lowStock
        updatedAt
      }
      suggestedReorders {
        warehouse {
          id
          code
          name
        }
        available
        reorderPoint
        quantity
      }
      createdAt
    }
  }
`);

export const SkuMovementsQuery = graphql(`
  query SkuMovements($id: ID!, $warehouseId: ID, $last: Int!, $before: String) {
    sku(id: $id) {
      id
      movements(warehouseId: $warehouseId, last: $last, before: $before) {
        nodes {
          id
          warehouse {
            id
            code
            name
          }
          reason
          delta {
            awaitingPutaway
            onHand
            reserved
            pledged
            available
            picked
            damaged
            inTransferOut
            inTransferIn
          }
          actorId
          sourceId
          lot
          adjustmentReason
          note
          occurredAt
        }
        pageInfo {
          hasPreviousPage
          startCursor
        }
      }
    }
  }
`);

const movementsPageSize = 20;
// Any change of stock (an order, a receipt) returns objects with a Sku in them: urql then asks
// again for these, so the numbers on this page are never stale after a change elsewhere.
const skuContext = { additionalTypenames: ['Sku', 'InventoryBalance', 'StockMovement'] };

type Sku = NonNullable<SkuDetailQuery['sku']>;

/**
 * `/accounts/:id/inventory/:skuId`: a SKU's details, its stock in each warehouse, a suggested
 * reorder when it runs low, and its movement history, newest first.
 */
export default function SkuPage() {
  const { account } = useAccount();
  const { skuId = '' } = useParams<{ skuId: string }>();
  const path = paths.sku(account.id, skuId);
  const [notice] = useFlash(path);
  const [result, reexecute] = useQuery({
    query: SkuDetailQueryDoc,
    variables: { id: skuId },
    context: skuContext,
    requestPolicy: 'cache-and-network',
  });
  const sku = result.data?.sku;

  return (
    <>
      <title>{t.common.title(sku ? sku.code : t.sku.notFound, account.legalName)}</title>
      <p className="notice" role="status" aria-live="polite">
        {notice}
      </p>
      <Remote
        value={sku}
        result={result}
        what={t.sku.notFound}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        loadingLabel={t.sku.loading}
      >
        {(s) =>
          // The SKU of another account this viewer may also see (staff): not on this account's pages.
          s.accountId !== account.id ? <NoAccess what={t.sku.notFound} /> : <SkuView sku={s} />
        }
      </Remote>
    </>
  );
}

function SkuView({ sku }: { sku: Sku }) {
  const { account } = useAccount();
  const operate = useCanOperate();
  return (
    <>
      <PageHeader
        eyebrow={<Link href={paths.inventory(account.id)}>{t.inventory.title}</Link>}
        title={
          <>
            {sku.code} <span className="title-sub">{sku.name}</span>
          </>
        }
        actions={
          operate && (
            <>
              <ButtonLink href={paths.newReceipt(account.id, sku.id)}>{t.inventory.announce}</ButtonLink>
              <ButtonLink href={paths.editSku(account.id, sku.id)}>{t.sku.edit}</ButtonLink>
            </>
          )
        }
      />
      {sku.suggestedReorders.length > 0 && (
        <div className="callout callout-warning" role="note" data-testid="suggested-reorder">
          <p className="callout-title">{t.sku.reorderTitle}</p>
          <ul>
            {sku.suggestedReorders.map((r) => (
              <li key={r.warehouse.id}>{t.sku.reorderLine(r.warehouse.code, r.available, r.reorderPoint, r.quantity)}</li>
            ))}
          </ul>
        </div>
      )}
      <Balances sku={sku} />
      <Details sku={sku} />
      <Movements sku={sku} />
    </>
  );
}

/**
 * The SKU's stock, a column per warehouse and a row per bucket: a SKU is in a few warehouses,
 * and a balance has nine buckets, which fit down the page better than across it.
 */
function Balances({ sku }: { sku: Sku }) {
  const total = sumBalances(sku.balances);
  const several = sku.balances.length > 1;
  return (
    <section className="card card-wide" aria-labelledby="balances-heading">
      <div className="card-header">
        <h2 id="balances-heading">{t.sku.balances}</h2>
      </div>
      {sku.balances.length === 0 ? (
        <div className="card-body">
          <p className="muted">{t.sku.noBalances}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table table-balances" aria-labelledby="balances-heading" data-testid="balances">
            <thead>
              <tr>
                <td />
                {sku.balances.map((b) => (
                  <th key={b.warehouse.id} scope="col" className="num">
                    <span title={b.warehouse.name}>{b.warehouse.code}</span>
                    <span className="muted table-sub">{b.warehouse.name}</span>
                  </th>
                ))}
                {several && (
                  <th scope="col" className="num">
                    {t.common.total}
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {stockBuckets.map((bucket) => (
                <tr key={bucket} data-bucket={bucket}>
                  <th scope="row">
                    {t.buckets[bucket]}
                    <span className="muted table-sub">{t.bucketHints[bucket]}</span>
                  </th>
                  {sku.balances.map((b) => (
                    <td
                      key={b.warehouse.id}
                      className={`num${bucket === 'available' ? ' num-strong' : ''}`}
                      data-warehouse={b.warehouse.code}
                    >
                      {formatCount(b[bucket])}
                    </td>
                  ))}
                  {several && <td className="num">{formatCount(total[bucket])}</td>}
                </tr>
              ))}
              {sku.balances.some((b) => b.lowStock) && (
                <tr>
                  <th scope="row">{t.common.status}</th>
                  {sku.balances.map((b) => (
                    <td key={b.warehouse.id} className="num">
                      {b.lowStock && <LowStockBadge />}
                    </td>
                  ))}
                  {several && <td />}
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Details({ sku }: { sku: Sku }) {
  const none = <span className="muted">{t.common.none}</span>;
  return (
    <section className="card card-wide" aria-labelledby="sku-details-heading">
      <div className="card-header">
        <h2 id="sku-details-heading">{t.sku.details}</h2>
      </div>
      <div className="card-body">
        <dl className="details details-2col">
          <dt>{t.sku.code}</dt>
          <dd>
            <code>{sku.code}</code>
          </dd>
          <dt>{t.sku.name}</dt>
          <dd>{sku.name}</dd>
          <dt>{t.sku.description}</dt>
          <dd>{sku.description || none}</dd>
          <dt>{t.sku.barcode}</dt>
          <dd>{sku.barcode || none}</dd>
          <dt>{t.sku.hsCode}</dt>
          <dd>{sku.hsCode || none}</dd>
          <dt>{t.sku.countryOfOrigin}</dt>
          <dd>{sku.countryOfOrigin ? formatCountry(sku.countryOfOrigin) : none}</dd>
          <dt>{t.sku.unitValue}</dt>
          <dd>
            <MoneyText money={sku.unitValue} />
          </dd>
          <dt>{t.sku.weight}</dt>
          <dd>{sku.weight ? `${formatDecimal(sku.weight.value)} ${t.weightUnits[sku.weight.unit]}` : none}</dd>
          <dt>{t.sku.dimensions}</dt>
          <dd>
            {sku.dimensions
              ? t.sku.dimensionsValue(
                  formatDecimal(sku.dimensions.length),
                  formatDecimal(sku.dimensions.width),
                  formatDecimal(sku.dimensions.height),
                  t.lengthUnits[sku.dimensions.unit],
                  formatDecimal(sku.dimensions.cubicMetres),
                )
              : none}
          </dd>
          <dt>{t.sku.tracksLots}</dt>
          <dd>{sku.tracksLots ? t.sku.tracksLotsYes : t.common.no}</dd>
          <dt>{t.sku.reorderPoints}</dt>
          <dd>
            {sku.reorderPoints.length === 0 ? (
              none
            ) : (
              <ul className="plain-list">
                {sku.reorderPoints.map((r) => (
                  <li key={r.warehouse.id}>{t.sku.reorderPointValue(r.warehouse.code, r.point, r.quantity)}</li>
                ))}
              </ul>
            )}
          </dd>
          <dt>{t.sku.createdAt}</dt>
          <dd>{formatDateTime(sku.createdAt)}</dd>
        </dl>
      </div>
    </section>
  );
}

function Movements({ sku }: { sku: Sku }) {
  const [warehouseId, setWarehouseId] = useState('');
  return (
    <section className="card card-wide" aria-labelledby="movements-heading">
      <div className="card-header">
        <h2 id="movements-heading">{t.sku.movements}</h2>
        {sku.balances.length > 1 && (
          <div className="field field-inline">
            <label htmlFor="movements-warehouse">{t.sku.movementsFilter}</label>
            <select id="movements-warehouse" value={warehouseId} onChange={(e) => setWarehouseId(e.target.value)}>
              <option value="">{t.common.allWarehouses}</option>
              {sku.balances.map((b) => (
                <option key={b.warehouse.id} value={b.warehouse.id}>
                  {t.common.warehouseOption(b.warehouse.code, b.warehouse.name)}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <p className="card-note muted">{t.sku.movementsHint}</p>
      <MovementList key={warehouseId} skuId={sku.id} warehouseId={warehouseId || null} />
    </section>
  );
}

function MovementList({ skuId, warehouseId }: { skuId: string; warehouseId: string | null }) {
  const { account } = useAccount();
  const { state } = useSession();
  const viewerId = state.kind === 'signed-in' ? state.viewer.user.id : null;
  // The API lists movements oldest first: the last page is the newest, and "Older" pages back.
  const pages = useCursorPages(warehouseId ?? '');
  const [result, reexecute] = useQuery({
    query: SkuMovementsQuery,
    variables: { id: skuId, warehouseId, last: movementsPageSize, before: pages.after },
    context: skuContext,
    requestPolicy: 'cache-and-network',
  });
  return (
    <Remote
      value={result.data?.sku?.movements}
      result={result}
      what={t.sku.notFound}
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      loadingLabel={t.sku.movementsLoading}
    >
      {(movements) => (
        <>
          {movements.nodes.length === 0 ? (
            <div className="card-body">
              <p className="muted">{t.sku.noMovements}</p>
            </div>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label={t.sku.movementsLabel} data-testid="movements">
                <thead>
                  <tr>
                    <th scope="col">{t.sku.when}</th>
                    <th scope="col">{t.common.warehouse}</th>
                    <th scope="col">{t.sku.reason}</th>
                    <th scope="col">{t.sku.change}</th>
                    <th scope="col">{t.sku.source}</th>
                    <th scope="col">{t.sku.by}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...movements.nodes].reverse().map((m) => {
                    const source = m.sourceId ? objectPath(account.id, m.sourceId) : null;
                    return (
                      <tr key={m.id} data-reason={m.reason}>
                        <td>{formatDateTime(m.occurredAt)}</td>
                        <td>{m.warehouse.code}</td>
                        <td>
                          {t.movementReasons[m.reason]}
                          {m.adjustmentReason && (
                            <span className="muted table-sub">{t.adjustmentReasons[m.adjustmentReason]}</span>
                          )}
                          {m.note && <span className="muted table-sub">{m.note}</span>}
                        </td>
                        <td>
                          <ul className="plain-list">
                            {deltaParts(m.delta).map(({ bucket, change }) => (
                              <li key={bucket}>
                                <span className={`num ${change > 0 ? 'change-up' : 'change-down'}`}>{formatChange(change)}</span>{' '}
                                {t.buckets[bucket].toLowerCase()}
                              </li>
                            ))}
                          </ul>
                        </td>
                        <td>
                          {m.sourceId ? source ? <Link href={source}>{m.sourceId}</Link> : <code>{m.sourceId}</code> : t.common.none}
                          {m.lot && <span className="muted table-sub">{`${t.sku.lot}: ${m.lot}`}</span>}
                        </td>
                        <td>
                          {m.actorId === null
                            ? t.sku.bySystem
                            : m.actorId === viewerId
                              ? t.sku.byYou
                              : <span title={m.actorId}>{t.sku.byOther}</span>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            pages={pages}
            hasNextPage={movements.pageInfo.hasPreviousPage}
            endCursor={movements.pageInfo.startCursor}
            fetching={result.fetching}
            label={t.sku.movementsLabel}
            texts={t.common.historyPager}
          />
        </>
      )}
    </Remote>
  );
}
