import { useQuery } from 'urql';
import { Link } from 'wouter';
import { viewerQuery, viewerState, type ViewerState } from '../graphql/viewer';

export function HomePage() {
  const [result, reexecute] = useQuery({ query: viewerQuery });
  const state = viewerState(result);

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
        <div className="card-body" role="status" aria-live="polite">
          <SessionBody state={state} />
        </div>
        {state.kind === 'problem' && (
          <div className="card-footer">
            <button
              type="button"
              className="button button-secondary"
              disabled={result.fetching}
              onClick={() => reexecute({ requestPolicy: 'network-only' })}
            >
              {result.fetching ? 'Retrying…' : 'Retry'}
            </button>
          </div>
        )}
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

function StateBadge({ state }: { state: ViewerState }) {
  switch (state.kind) {
    case 'loading':
      return <span className="badge">Checking</span>;
    case 'signed-out':
      return <span className="badge badge-neutral">Signed out</span>;
    case 'problem':
      return <span className="badge badge-danger">Error</span>;
  }
}

function SessionBody({ state }: { state: ViewerState }) {
  switch (state.kind) {
    case 'loading':
      return <p className="muted">Asking the API who you are…</p>;
    case 'signed-out':
      return (
        <>
          <p>
            You are not signed in.{' '}
            {state.typename !== null && (
              <span className="muted">
                The API answered as an anonymous <code>{state.typename}</code>.
              </span>
            )}
          </p>
          <p>
            <Link href="/sign-in" className="button button-primary">
              Sign in
            </Link>
          </p>
        </>
      );
    case 'problem':
      return (
        <div className="problem">
          <p className="problem-title">{state.problem.title}</p>
          <p>{state.problem.detail}</p>
          <p>
            <strong>What to do:</strong> {state.problem.action}
          </p>
          {state.problem.code !== undefined && (
            <p className="muted">
              Code: <code>{state.problem.code}</code>
            </p>
          )}
        </div>
      );
  }
}
