import type { Problem } from '../graphql/errors';
import { portalMessages } from '../i18n/portal';

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
        <strong>{portalMessages.states.whatToDo}</strong> {problem.action}
      </p>
      {problem.code !== undefined && (
        <p className="muted">
          {portalMessages.states.code} <code>{problem.code}</code>
        </p>
      )}
      {onRetry && (
        <p>
          <button type="button" className="button button-secondary" disabled={retrying} onClick={onRetry}>
            {retrying ? portalMessages.states.retrying : portalMessages.states.retry}
          </button>
        </p>
      )}
    </div>
  );
}
