import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { portalMessages } from '../i18n/portal';

/** A page's data is on its way. */
export function Loading({ label }: { label?: string }) {
  return (
    <p className="muted loading" role="status">
      {label ?? portalMessages.states.loading}
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
        <h2 id="no-access-heading">{portalMessages.states.noAccessTitle}</h2>
        <p>{portalMessages.states.noAccess(what)}</p>
        {children ?? (
          <p>
            {portalMessages.states.noAccessAction} <Link href="~/">{portalMessages.states.startPage}</Link>
          </p>
        )}
      </div>
    </section>
  );
}
