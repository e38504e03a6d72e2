import type { ReactNode } from 'react';
import { Link } from 'wouter';

/** A page's data is on its way. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted loading" role="status">
      {label}
    </p>
  );
}

/**
 * The server refused to show a page to this person (FORBIDDEN, or NOT_FOUND, which it answers
 * rather than confirming that something it hides exists).
 */
export function NoAccess({ what, children }: { what: string; children?: ReactNode }) {
  return (
    <section className="card no-access" aria-labelledby="no-access-heading" data-state="no-access">
      <div className="card-body">
        <h2 id="no-access-heading">You don't have access</h2>
        <p>
          {what} is not available to you: it does not exist, or your role does not include it.
        </p>
        {children ?? (
          <p>
            If you need it, ask an owner or admin of the account to change your role.{' '}
            <Link href="~/">Go to your start page</Link>.
          </p>
        )}
      </div>
    </section>
  );
}
