import { useQuery } from 'urql';
import { Remote } from '../components/Remote';
import { PartnerFinancing } from '../financing/PartnerFinancing';
import { graphql } from '../gql';
import { formatCountry, messages } from '../i18n/messages';
import { partnerMessages as t } from '../i18n/team';
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
        <title>{t.title(t.workspace)}</title>
        <div className="page-header">
          <h1>{t.workspace}</h1>
        </div>
        <section className="card" data-state="no-access">
          <div className="card-body">
            <h2>{t.noAccess}</h2>
            <p>{t.noAccessBody}</p>
          </div>
        </section>
      </>
    );
  }

  return (
    <>
      <title>{t.title(membership.partner.name)}</title>
      <div className="page-header">
        <p className="eyebrow">{t.workspace}</p>
        <h1>{membership.partner.name}</h1>
        <p className="lead">{t.youAre(messages.partnerRoles[membership.role].toLowerCase(), membership.partner.name)}</p>
      </div>
      <Remote
        value={result.data?.partner}
        result={result}
        what={t.what}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      >
        {(partner) => (
          <>
            <section className="card" aria-labelledby="partner-heading">
              <div className="card-header">
                <h2 id="partner-heading">{t.organisation}</h2>
              </div>
              <div className="card-body">
                <dl className="details">
                  <dt>{t.name}</dt>
                  <dd>{partner.name}</dd>
                  <dt>{t.registeredIn}</dt>
                  <dd>{formatCountry(partner.country)}</dd>
                  <dt>{t.yourRole}</dt>
                  <dd>{messages.partnerRoles[membership.role]}</dd>
                </dl>
              </div>
            </section>
            <section className="card card-wide" aria-labelledby="borrowers-heading">
              <div className="card-header">
                <h2 id="borrowers-heading">{t.borrowers}</h2>
              </div>
              <div className="card-body">
                <p className="muted">{t.borrowersLead(partner.name)}</p>
              </div>
              {partner.borrowers.length === 0 ? (
                <div className="card-body">
                  <p className="muted">{t.noBorrowers}</p>
                </div>
              ) : (
                <div className="table-wrap">
                  <table className="table" data-testid="borrowers">
                    <thead>
                      <tr>
                        <th scope="col">{t.legalName}</th>
                        <th scope="col">{t.registeredIn}</th>
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
