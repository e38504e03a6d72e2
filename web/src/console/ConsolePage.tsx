// `/console`: the staff's book of accounts with what needs attention in each, the way into an
// account (to act on its behalf, under the "Acting as" banner) and to the carrier scorecards.
import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { accountPath } from '../access/access';
import { Pager, useCursorPages } from '../components/Pager';
import { Remote } from '../components/Remote';
import { NoAccess } from '../components/States';
import { graphql } from '../gql';
import { formatCount, formatCountry, messages } from '../i18n/messages';
import { portalMessages } from '../i18n/portal';
import type { SignedInViewer } from '../session/viewer';
import { consoleSearch, issues, parseConsoleParams, visibleRows, type ConsoleParams } from './console';
import '../dashboard/dashboard.css';

export const ConsoleAccountsQuery = graphql(`
  query ConsoleAccounts($first: Int!, $after: String) {
    accounts(first: $first, after: $after) {
      nodes {
        id
        legalName
        country
        status
        health {
          shipmentExceptions
          lowStockBalances
          overdueInvoices
          atRiskLoans
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const pageSize = 50;

export default function ConsolePage({ viewer }: { viewer: SignedInViewer }) {
  const t = portalMessages.console;
  const search = useSearch();
  const [location, navigate] = useLocation();
  const params = parseConsoleParams(search);
  const go = (next: Partial<ConsoleParams>) => navigate(`${location}${consoleSearch({ ...params, ...next })}`, { replace: true });

  if (!viewer.staffRole) {
    return <NoAccess what={t.what} />;
  }
  return (
    <>
      <title>{`${t.title} · Tradehub`}</title>
      <div className="page-header">
        <p className="eyebrow">{messages.staffRoles[viewer.staffRole]}</p>
        <h1>{t.title}</h1>
        <p className="lead">{t.lead}</p>
      </div>
      <section className="card card-wide" aria-labelledby="console-heading">
        <div className="card-header">
          <h2 id="console-heading">{t.tableLabel}</h2>
        </div>
        <Filters params={params} onChange={go} />
        <AccountList params={params} />
      </section>
    </>
  );
}

function Filters({ params, onChange }: { params: ConsoleParams; onChange: (p: Partial<ConsoleParams>) => void }) {
  const t = portalMessages.console;
  const [q, setQ] = useState(params.q);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ q });
  };
  return (
    <form role="search" aria-label={t.filters} className="filters console-filters" onSubmit={submit}>
      <div className="field">
        <label htmlFor="console-q">{t.search}</label>
        <input id="console-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} onBlur={() => onChange({ q })} />
      </div>
      <div className="field">
        <label htmlFor="console-show">{t.filter}</label>
        <select id="console-show" value={params.attention ? 'attention' : ''} onChange={(e) => onChange({ attention: e.target.value === 'attention' })}>
          <option value="">{t.all}</option>
          <option value="attention">{t.needsAttention}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="console-sort">{t.sort}</label>
        <select id="console-sort" value={params.sort} onChange={(e) => onChange({ sort: e.target.value === 'issues' ? 'issues' : 'name' })}>
          <option value="name">{t.sortName}</option>
          <option value="issues">{t.sortHealth}</option>
        </select>
      </div>
    </form>
  );
}

function AccountList({ params }: { params: ConsoleParams }) {
  const t = portalMessages.console;
  const pages = useCursorPages();
  const [result, reexecute] = useQuery({
    query: ConsoleAccountsQuery,
    variables: { first: pageSize, after: pages.after },
    requestPolicy: 'cache-and-network',
  });
  const connection = result.data?.accounts;
  return (
    <Remote value={connection} result={result} what={t.what} onRetry={() => reexecute({ requestPolicy: 'network-only' })} loadingLabel={t.loading}>
      {(c) => {
        if (c.nodes.length === 0) {
          return (
            <div className="card-body empty-state" data-state="empty">
              <p>{t.empty}</p>
            </div>
          );
        }
        const rows = visibleRows(c.nodes, params);
        return (
          <>
            {rows.length === 0 ? (
              <div className="card-body empty-state" data-state="empty">
                <p>{portalMessages.console.noMatch}</p>
              </div>
            ) : (
              <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="console-heading">
                <table className="table" aria-labelledby="console-heading" data-testid="console-accounts">
                  <thead>
                    <tr>
                      <th scope="col">{t.account}</th>
                      <th scope="col">{t.country}</th>
                      <th scope="col">{t.health}</th>
                      <th scope="col" className="num">
                        {t.exceptions}
                      </th>
                      <th scope="col" className="num">
                        {t.lowStock}
                      </th>
                      <th scope="col" className="num">
                        {t.overdue}
                      </th>
                      <th scope="col" className="num">
                        {t.atRisk}
                      </th>
                      <th scope="col">
                        <span className="visually-hidden">{t.actFor}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((a) => {
                      const n = issues(a);
                      return (
                        <tr key={a.id}>
                          <th scope="row">
                            <Link href={accountPath(a.id)}>{a.legalName}</Link>
                            {a.status !== 'ACTIVE' && <span className="muted table-sub">{messages.accountStatuses[a.status]}</span>}
                          </th>
                          <td>{formatCountry(a.country)}</td>
                          <td>
                            <span className={`badge ${n > 0 ? 'badge-status-suspended' : 'badge-success'}`}>{n > 0 ? t.attention : t.healthy}</span>
                          </td>
                          <td className="num">
                            <Figure value={a.health.shipmentExceptions} href={`${accountPath(a.id, 'shipments')}?status=EXCEPTION`} />
                          </td>
                          <td className="num">
                            <Figure value={a.health.lowStockBalances} href={`${accountPath(a.id, 'inventory')}?low=1`} />
                          </td>
                          <td className="num">
                            <Figure value={a.health.overdueInvoices} href={accountPath(a.id, 'billing')} />
                          </td>
                          <td className="num">
                            <Figure value={a.health.atRiskLoans} href={accountPath(a.id, 'financing')} />
                          </td>
                          <td>
                            <Link href={accountPath(a.id)} className="button button-secondary button-small">
                              {t.actFor}
                              <span className="visually-hidden">: {a.legalName}</span>
                            </Link>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
            <Pager pages={pages} hasNextPage={c.pageInfo.hasNextPage} endCursor={c.pageInfo.endCursor} fetching={result.fetching} label={t.tableLabel} />
            {c.nodes[0] && (
              <p className="card-body console-scorecards">
                <Link href={`${accountPath(c.nodes[0].id)}/scorecards`}>{t.scorecards}</Link>
              </p>
            )}
          </>
        );
      }}
    </Remote>
  );
}

/** A count that links to the list behind it; "n/a" when the figure is hidden from the viewer. */
function Figure({ value, href }: { value: number | null | undefined; href: string }) {
  if (value === null || value === undefined) {
    return <span className="muted">{portalMessages.console.notTracked}</span>;
  }
  if (value === 0) {
    return <>{formatCount(0)}</>;
  }
  return (
    <Link href={href} className="figure-link">
      {formatCount(value)}
    </Link>
  );
}
