import { useQuery } from 'urql';
import { Remote } from '../components/Remote';
import { graphql } from '../gql';
import { formatCountry, messages } from '../i18n/messages';
import type { SignedInViewer } from '../session/viewer';

export const PartnerWorkspaceQuery = graphql(`
  query PartnerWorkspace($id: ID!) {
    partner(id: $id) {
      id
      name
      country
    }
  }
`);

/**
 * `/partner`: a finance partner's workspace. For now it says which partner the viewer works for;
 * the financing issue adds the requests and the portfolio, and the accounts that consented once
 * the API lists them for a partner.
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
      <section className="card" aria-labelledby="partner-heading">
        <div className="card-header">
          <h2 id="partner-heading">Your organisation</h2>
        </div>
        <div className="card-body">
          <Remote
            value={result.data?.partner}
            result={result}
            what="This partner"
            onRetry={() => reexecute({ requestPolicy: 'network-only' })}
          >
            {(partner) => (
              <dl className="details">
                <dt>Name</dt>
                <dd>{partner.name}</dd>
                <dt>Registered in</dt>
                <dd>{formatCountry(partner.country)}</dd>
                <dt>Your role</dt>
                <dd>{messages.partnerRoles[membership.role]}</dd>
              </dl>
            )}
          </Remote>
          <p className="muted">
            Financing requests, your portfolio and the seller accounts that share their financing data with you
            will appear here.
          </p>
        </div>
      </section>
    </>
  );
}
