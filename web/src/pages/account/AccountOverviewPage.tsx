import { useQuery } from 'urql';
import { useAccount } from '../../app/account';
import { Remote } from '../../components/Remote';
import { graphql } from '../../gql';
import { Dashboard } from '../../dashboard/Dashboard';
import { formatCountry, formatCurrency, formatDateTime, messages } from '../../i18n/messages';
import { portalMessages } from '../../i18n/portal';

export const AccountOverviewQuery = graphql(`
  query AccountOverview($id: ID!) {
    account(id: $id) {
      id
      legalName
      country
      timeZone
      defaultCurrency
      billingEmail
      status
      createdAt
      viewerRole
      accountManagers {
        id
        name
        email
      }
    }
  }
`);

/** `/accounts/:id`: the landing page: the dashboard, then the account's details. */
export default function AccountOverviewPage() {
  const { account: frame, access } = useAccount();
  const [result, reexecute] = useQuery({ query: AccountOverviewQuery, variables: { id: frame.id } });
  const o = portalMessages.overview;

  const body = (
    <Remote
      value={result.data?.account}
      result={result}
      what={portalMessages.shell.thisAccount}
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      loadingLabel={portalMessages.shell.loadingAccount}
    >
      {(account) => {
        const yourRole =
          access.kind === 'staff'
            ? o.staffAccess(messages.staffRoles[access.staffRole])
            : account.viewerRole
              ? `${messages.accountRoles[account.viewerRole]}: ${messages.accountRoleDescriptions[account.viewerRole]}`
              : null;
        return (
          <>
            <section className="card" aria-labelledby="details-heading">
              <div className="card-header">
                <h2 id="details-heading">{o.details}</h2>
                <span className={`badge badge-status-${account.status.toLowerCase()}`}>
                  {messages.accountStatuses[account.status]}
                </span>
              </div>
              <div className="card-body">
                <dl className="details">
                  <dt>{o.legalName}</dt>
                  <dd>{account.legalName}</dd>
                  <dt>{o.country}</dt>
                  <dd>{formatCountry(account.country)}</dd>
                  <dt>{o.currency}</dt>
                  <dd>{formatCurrency(account.defaultCurrency)}</dd>
                  <dt>{o.billingEmail}</dt>
                  <dd>{account.billingEmail}</dd>
                  <dt>{o.status}</dt>
                  <dd>{messages.accountStatuses[account.status]}</dd>
                  <dt>{o.timeZone}</dt>
                  <dd>{account.timeZone}</dd>
                  <dt>{o.since}</dt>
                  <dd>{formatDateTime(account.createdAt)}</dd>
                  <dt>{o.id}</dt>
                  <dd>
                    <code>{account.id}</code>
                  </dd>
                </dl>
              </div>
            </section>

            <section className="card" aria-labelledby="managers-heading">
              <div className="card-header">
                <h2 id="managers-heading">{o.managers}</h2>
              </div>
              <div className="card-body">
                {account.accountManagers.length === 0 ? (
                  <p className="muted">{o.noManager}</p>
                ) : (
                  <ul className="people">
                    {account.accountManagers.map((m) => (
                      <li key={m.id}>
                        <span className="person-name">{m.name}</span>{' '}
                        <a href={`mailto:${m.email}`} className="muted">
                          {m.email}
                        </a>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </section>

            {yourRole && (
              <section className="card" aria-labelledby="role-heading">
                <div className="card-header">
                  <h2 id="role-heading">{o.access}</h2>
                </div>
                <div className="card-body">
                  <p>{yourRole}</p>
                </div>
              </section>
            )}
          </>
        );
      }}
    </Remote>
  );

  return (
    <>
      <title>{`${frame.legalName} · Tradehub`}</title>
      <div className="page-header">
        <p className="eyebrow">{portalMessages.dashboard.title}</p>
        <h1>{frame.legalName}</h1>
        <p className="lead">{portalMessages.dashboard.lead}</p>
      </div>
      <Dashboard />
      <h2 className="section-heading">{portalMessages.dashboard.company}</h2>
      {body}
    </>
  );
}
