import { useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { useAccount } from '../../app/account';
import { Pager, useCursorPages } from '../../components/Pager';
import { Remote } from '../../components/Remote';
import { graphql } from '../../gql';
import type { ReceiptStatus } from '../../gql/graphql';
import { formatDate, formatDateTime } from '../../i18n/messages';
import { warehousingMessages as t } from '../../i18n/warehousing';
import { parseStatuses, receiptStatuses, statusSearch } from '../../warehousing/filters';
import { paths } from '../../warehousing/paths';
import { showsDiscrepancy } from '../../warehousing/receipts';
import { ButtonLink, PageHeader, ReceiptStatusBadge, useCanOperate, WarehouseCode } from '../../warehousing/ui';

export const ReceiptsQuery = graphql(`
  query Receipts($accountId: ID!, $status: ReceiptStatus, $last: Int!, $before: String) {
    receipts(accountId: $accountId, status: $status, last: $last, before: $before) {
      nodes {
        id
        reference
        status
        hasDiscrepancy
        expectedAt
        createdAt
        warehouse {
          id
          code
          name
        }
        lines {
          expected
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
const receiptContext = { additionalTypenames: ['Receipt'] };

/** `/accounts/:id/receipts`: the account's inbound receipts, by status, newest first. */
export default function ReceiptsPage() {
  const { account } = useAccount();
  const operate = useCanOperate();
  const search = useSearch();
  const [location, navigate] = useLocation();
  const statuses = parseStatuses(search, receiptStatuses);
  const status = statuses.length === 1 ? (statuses[0] ?? null) : null;

  return (
    <>
      <title>{t.common.title(t.receipts.title, account.legalName)}</title>
      <PageHeader
        title={t.receipts.title}
        lead={t.receipts.lead}
        actions={
          operate && (
            <ButtonLink href={paths.newReceipt(account.id)} primary>
              {t.receipts.create}
            </ButtonLink>
          )
        }
      />
      <section className="card card-wide" aria-labelledby="receipts-heading">
        <div className="card-header">
          <h2 id="receipts-heading">{t.receipts.tableLabel}</h2>
          <div className="field field-inline">
            <label htmlFor="receipts-status">{t.receipts.filterLabel}</label>
            <select
              id="receipts-status"
              value={status ?? ''}
              onChange={(e) => navigate(`${location}${statusSearch(e.target.value ? [e.target.value as ReceiptStatus] : [], receiptStatuses)}`)}
            >
              <option value="">{t.receipts.allStatuses}</option>
              {receiptStatuses.map((s) => (
                <option key={s} value={s}>
                  {t.receiptStatuses[s]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <ReceiptList key={status ?? ''} accountId={account.id} status={status} />
      </section>
    </>
  );
}

function ReceiptList({ accountId, status }: { accountId: string; status: ReceiptStatus | null }) {
  // The API lists receipts oldest first: the last page is the newest, and "Older" pages back.
  const pages = useCursorPages();
  const [result, reexecute] = useQuery({
    query: ReceiptsQuery,
    variables: { accountId, status, last: pageSize, before: pages.after },
    context: receiptContext,
    requestPolicy: 'cache-and-network',
  });
  return (
    <Remote
      value={result.data?.receipts}
      result={result}
      what={t.receipts.what}
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      loadingLabel={t.receipts.loading}
    >
      {(receipts) => (
        <>
          {receipts.nodes.length === 0 ? (
            <div className="card-body empty-state" data-state="empty">
              <p>{status ? t.receipts.emptyFiltered : t.receipts.empty}</p>
            </div>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-labelledby="receipts-heading">
                <thead>
                  <tr>
                    <th scope="col">{t.receipts.receipt}</th>
                    <th scope="col">{t.common.status}</th>
                    <th scope="col">{t.common.warehouse}</th>
                    <th scope="col">{t.receipts.lines}</th>
                    <th scope="col">{t.receipts.expected}</th>
                    <th scope="col">{t.common.created}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...receipts.nodes].reverse().map((r) => (
                    <tr key={r.id} data-receipt={r.reference ?? r.id}>
                      <th scope="row" className="cell-primary">
                        <Link href={paths.receipt(accountId, r.id)}>{r.reference ?? r.id}</Link>
                        {!r.reference && <span className="muted table-sub">{t.receipts.noReference}</span>}
                      </th>
                      <td>
                        <ReceiptStatusBadge status={r.status} />
                        {showsDiscrepancy(r) && <span className="badge badge-danger badge-after">{t.receipts.discrepancy}</span>}
                      </td>
                      <td>
                        <WarehouseCode warehouse={r.warehouse} />
                      </td>
                      <td>
                        {t.receipts.linesValue(
                          r.lines.length,
                          r.lines.reduce((n, l) => n + l.expected, 0),
                        )}
                      </td>
                      <td>{r.expectedAt ? formatDate(r.expectedAt, { utc: true }) : t.common.none}</td>
                      <td>{formatDateTime(r.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            pages={pages}
            hasNextPage={receipts.pageInfo.hasPreviousPage}
            endCursor={receipts.pageInfo.startCursor}
            fetching={result.fetching}
            label={t.receipts.tableLabel}
            texts={t.common.historyPager}
          />
        </>
      )}
    </Remote>
  );
}
