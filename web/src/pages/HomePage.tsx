import { Link } from 'wouter';
import { ProblemCallout } from '../components/Problem';
import { useSession } from '../session/Session';
import type { SessionState } from '../session/viewer';
import { portalMessages } from '../i18n/portal';

/**
 * `/` for someone not signed in (or signed in with nothing to land on): what Tradehub is, and
 * the way in.
 */
export default function HomePage() {
  const { state, retry, refreshing } = useSession();
  const h = portalMessages.home;

  return (
    <>
      <title>{`${h.title} · Tradehub`}</title>
      <div className="page-header">
        <h1>{h.welcome}</h1>
        <p className="lead">{h.lead}</p>
      </div>

      <section className="card" aria-labelledby="session-heading" data-state={state.kind}>
        <div className="card-header">
          <h2 id="session-heading">{h.session}</h2>
          <StateBadge state={state} />
        </div>
        <div className="card-body" aria-live="polite">
          {state.kind === 'loading' && <p className="muted">{h.asking}</p>}
          {state.kind === 'signed-out' && (
            <>
              <p>{h.notSignedIn}</p>
              <p>
                <Link href="/sign-in" className="button button-primary">
                  {h.signIn}
                </Link>
              </p>
            </>
          )}
          {state.kind === 'signed-in' && (
            <>
              <p>{h.nothingOpen(state.viewer.user.name, state.viewer.user.email)}</p>
              {state.viewer.supplierId !== null && (
                <p className="muted">{h.supplier}</p>
              )}
              <p className="muted">{h.askAccess}</p>
            </>
          )}
          {state.kind === 'problem' && (
            <ProblemCallout problem={state.problem} onRetry={retry} retrying={refreshing} />
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="api-heading">
        <div className="card-header">
          <h2 id="api-heading">{h.api}</h2>
        </div>
        <div className="card-body">
          <p>{h.apiText}</p>
          <p>
            <a href="/graphiql">{h.explorer}</a>
          </p>
        </div>
      </section>
    </>
  );
}

function StateBadge({ state }: { state: SessionState }) {
  switch (state.kind) {
    case 'loading':
      return <span className="badge">{portalMessages.home.checking}</span>;
    case 'signed-out':
      return <span className="badge badge-neutral">{portalMessages.home.signedOut}</span>;
    case 'signed-in':
      return <span className="badge badge-success">{portalMessages.home.signedIn}</span>;
    case 'problem':
      return <span className="badge badge-danger">{portalMessages.home.error}</span>;
  }
}
