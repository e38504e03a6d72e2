import { useQuery } from 'urql';
import { Remote } from '../components/Remote';
import { PartnerFinancing } from '../financing/PartnerFinancing';
import { graphql } from '../gql';
import { formatCountry, messages } from '../i18n/messages';
import type { SignedInViewer } from '../session/viewer';

export const PartnerWorkspaceQuery = graphql(`
  query PartnerWorkspace($id: ID!) {
    partner(id: $id) {
      id
      name
      country
      borrowers {
        accountId
        legalName
        country
      }
    }
  }
`);

/**
 * `/partner`: a finance partner's workspace: which partner the viewer works for, and its borrowers
 * (the seller accounts that consented to share their financing data with it), the queue of
 * financing requests with their risk picture and decisions, and the portfolio.
 */
export default function PartnerPage({ viewer }: { viewer: SignedInViewer }) {
  const membership = viewer.partnerMembership;
  const [result, reexecute] = useQuery({
    query: PartnerWorkspaceQuery,
    variables: { id: membership?.partner.id ?? '' },
    pause: !membership,
  });

  if (!membership) {
    return (
      <>
        <title>Partner workspace · Tradehub</title>
        <div className="page-header">
          <h1>Partner workspace</h1>
        </div>
        <section className="card" data-state="no-access">
          <div className="card-body">
            <h2>You don't have access</h2>
            <p>The partner workspace is for the people of a finance partner, and you are not one.</p>
          </div>
        </section>
      </>
    );
  }

  return (
    <>
      <title>{`${membership.partner.name} · Tradehub`}</title>
      <div className="page-header">
        <p className="eyebrow">Partner workspace</p>
        <h1>{membership.partner.name}</h1>
        <p className="lead">
          You are {messages.partnerRoles[membership.role].toLowerCase()} at {membership.partner.name}.
        </p>
      </div>
      <Remote
        value={result.data?.partner}
        result={result}
        what="This partner"
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      >
        {(partner) => (
          <>
            <section className="card" aria-labelledby="partner-heading">
              <div className="card-header">
                <h2 id="partner-heading">Your organisation</h2>
              </div>
              <div className="card-body">
                <dl className="details">
                  <dt>Name</dt>
                  <dd>{partner.name}</dd>
                  <dt>Registered in</dt>
                  <dd>{formatCountry(partner.country)}</dd>
                  <dt>Your role</dt>
                  <dd>{messages.partnerRoles[membership.role]}</dd>
                </dl>
              </div>
            </section>
            <section className="card card-wide" aria-labelledby="borrowers-heading">
              <div className="card-header">
                <h2 id="borrowers-heading">Borrowers</h2>
              </div>
              <div className="card-body">
                <p className="muted">
                  The seller accounts that allowed {partner.name} to see their financing data.
                </p>
              </div>
              {partner.borrowers.length === 0 ? (
                <div className="card-body">
                  <p className="muted">No seller account has consented yet.</p>
                </div>
              ) : (
                <div className="table-wrap">
                  <table className="table" data-testid="borrowers">
                    <thead>
                      <tr>
                        <th scope="col">Legal name</th>
                        <th scope="col">Registered in</th>
                      </tr>
                    </thead>
                    <tbody>
                      {partner.borrowers.map((b) => (
                        <tr key={b.accountId} data-account-id={b.accountId}>
                          <td>{b.legalName}</td>
                          <td>{formatCountry(b.country)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
            <PartnerFinancing partnerId={partner.id} canDecide={membership.role === 'PARTNER_ADMIN'} />
          </>
        )}
      </Remote>
    </>
  );
}
