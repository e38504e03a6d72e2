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

  const body = (
    <Remote
      value={result.data?.account}
      result={result}
      what="This account"
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      loadingLabel="Loading the account…"
    >
      {(account) => {
        const yourRole =
          access.kind === 'staff'
            ? `You act for this account as ${messages.staffRoles[access.staffRole]}.`
            : account.viewerRole
              ? `${messages.accountRoles[account.viewerRole]}: ${messages.accountRoleDescriptions[account.viewerRole]}`
              : null;
        return (
          <>
            <section className="card" aria-labelledby="details-heading">
              <div className="card-header">
                <h2 id="details-heading">Company details</h2>
                <span className={`badge badge-status-${account.status.toLowerCase()}`}>
                  {messages.accountStatuses[account.status]}
                </span>
              </div>
              <div className="card-body">
                <dl className="details">
                  <dt>Legal name</dt>
                  <dd>{account.legalName}</dd>
                  <dt>Country</dt>
                  <dd>{formatCountry(account.country)}</dd>
                  <dt>Invoicing currency</dt>
                  <dd>{formatCurrency(account.defaultCurrency)}</dd>
                  <dt>Billing email</dt>
                  <dd>{account.billingEmail}</dd>
                  <dt>Status</dt>
                  <dd>{messages.accountStatuses[account.status]}</dd>
                  <dt>Customer since</dt>
                  <dd>{formatDateTime(account.createdAt)}</dd>
                  <dt>Account id</dt>
                  <dd>
                    <code>{account.id}</code>
                  </dd>
                </dl>
              </div>
            </section>

            <section className="card" aria-labelledby="managers-heading">
              <div className="card-header">
                <h2 id="managers-heading">Your account managers</h2>
              </div>
              <div className="card-body">
                {account.accountManagers.length === 0 ? (
                  <p className="muted">No account manager is assigned yet.</p>
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
                  <h2 id="role-heading">Your access</h2>
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
