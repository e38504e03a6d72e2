import type { Problem } from '../graphql/errors';

/** A failed request told to a person: what happened, what to do, and a retry when it may help. */
export function ProblemCallout({
  problem,
  onRetry,
  retrying = false,
}: {
  problem: Problem;
  onRetry?: () => void;
  retrying?: boolean;
}) {
  return (
    <div className="callout callout-danger problem" role="alert">
      <p className="problem-title">{problem.title}</p>
      <p>{problem.detail}</p>
      <p>
        <strong>What to do:</strong> {problem.action}
      </p>
      {problem.code !== undefined && (
        <p className="muted">
          Code: <code>{problem.code}</code>
        </p>
      )}
      {onRetry && (
        <p>
          <button type="button" className="button button-secondary" disabled={retrying} onClick={onRetry}>
            {retrying ? 'Retrying…' : 'Retry'}
          </button>
        </p>
      )}
    </div>
  );
}
