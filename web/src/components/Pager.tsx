import { useState } from 'react';
import { portalMessages } from '../i18n/portal';

/**
 * Paging through a forward-only Relay connection (`first`/`after`): "Next" follows endCursor,
 * "Previous" returns to the cursor before it, kept here because the server's cursors only go on.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  return {
    after: cursors.at(-1) ?? null,
    page: cursors.length + 1,
    hasPrevious: cursors.length > 0,
    next: (endCursor: string | null | undefined) => setCursors((c) => [...c, endCursor ?? null]),
    previous: () => setCursors((c) => c.slice(0, -1)),
  };
}

export interface PagerTexts {
  previous: string;
  next: string;
  page: (n: number) => string;
  /** The name of the pager's navigation landmark. */
  navigation: (label: string) => string;
}

const defaultTexts: PagerTexts = portalMessages.pager;

export function Pager({
  pages,
  hasNextPage,
  endCursor,
  fetching,
  label,
  texts = defaultTexts,
}: {
  pages: ReturnType<typeof useCursorPages>;
  hasNextPage: boolean;
  endCursor: string | null | undefined;
  fetching: boolean;
  /** What is paged, for screen readers: "Members". */
  label: string;
  /** The pager's words, from the page's catalog (and "Newer"/"Older" for a history). */
  texts?: PagerTexts;
}) {
  if (!pages.hasPrevious && !hasNextPage) {
    return null;
  }
  return (
    <nav className="card-footer pager" aria-label={texts.navigation(label)}>
      <button
        type="button"
        className="button button-secondary"
        disabled={!pages.hasPrevious || fetching}
        onClick={pages.previous}
      >
        {texts.previous}
      </button>
      <span className="muted">{texts.page(pages.page)}</span>
      <button
        type="button"
        className="button button-secondary"
        disabled={!hasNextPage || fetching}
        onClick={() => pages.next(endCursor)}
      >
        {texts.next}
      </button>
    </nav>
  );
}
