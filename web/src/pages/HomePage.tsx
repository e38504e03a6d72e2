import { Link } from 'wouter';
import { ProblemCallout } from '../components/Problem';
import { useSession } from '../session/Session';
import type { SessionState } from '../session/viewer';

/**
 * `/` for someone not signed in (or signed in with nothing to land on): what Tradehub is, and
 * the way in.
 */
export default function HomePage() {
  const { state, retry, refreshing } = useSession();

  return (
    <>
      <title>Home · Tradehub</title>
      <div className="page-header">
        <h1>Welcome to Tradehub</h1>
        <p className="lead">
          Warehousing, transport with customs, sourcing and shipment-backed financing under one
          account.
        </p>
      </div>

      <section className="card" aria-labelledby="session-heading" data-state={state.kind}>
        <div className="card-header">
          <h2 id="session-heading">Your session</h2>
          <StateBadge state={state} />
        </div>
        <div className="card-body" aria-live="polite">
          {state.kind === 'loading' && <p className="muted">Asking the API who you are…</p>}
          {state.kind === 'signed-out' && (
            <>
              <p>You are not signed in.</p>
              <p>
                <Link href="/sign-in" className="button button-primary">
                  Sign in
                </Link>
              </p>
            </>
          )}
          {state.kind === 'signed-in' && (
            <>
              <p>
                You are signed in as <strong>{state.viewer.user.name}</strong> ({state.viewer.user.email}), but
                no seller account or workspace is open to you in the portal yet.
              </p>
              {state.viewer.supplierId !== null && (
                <p className="muted">
                  You answer requests for quotation as a supplier; that workspace arrives with procurement.
                </p>
              )}
              <p className="muted">
                If you expected to see an account, ask its owner to invite you, or your account manager to
                check your access.
              </p>
            </>
          )}
          {state.kind === 'problem' && (
            <ProblemCallout problem={state.problem} onRetry={retry} retrying={refreshing} />
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="api-heading">
        <div className="card-header">
          <h2 id="api-heading">GraphQL API</h2>
        </div>
        <div className="card-body">
          <p>
            This portal uses the same API as your own platform. Try queries in the{' '}
            <a href="/graphiql">API explorer</a>; it sends them with your portal session.
          </p>
        </div>
      </section>
    </>
  );
}

function StateBadge({ state }: { state: SessionState }) {
  switch (state.kind) {
    case 'loading':
      return <span className="badge">Checking</span>;
    case 'signed-out':
      return <span className="badge badge-neutral">Signed out</span>;
    case 'signed-in':
      return <span className="badge badge-success">Signed in</span>;
    case 'problem':
      return <span className="badge badge-danger">Error</span>;
  }
}
