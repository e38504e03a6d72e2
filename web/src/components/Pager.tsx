import { useLocation, useSearch } from 'wouter';
import { portalMessages } from '../i18n/portal';

/** The URL parameter holding the cursors of the pages before the one shown. */
export const pagesParam = 'pages';
/** Which filter those cursors were for, when the filter is not in the URL itself. */
const scopeParam = 'pagesof';

/**
 * The cursors of the pages before the one shown, from the URL: `pages=c1.c2` (the API's cursors
 * are base64url, which never contains a dot). Anything malformed reads as the first page.
 */
export function parsePages(search: string, scope = ''): string[] {
  const params = new URLSearchParams(search);
  const raw = params.get(pagesParam);
  if (!raw || (params.get(scopeParam) ?? '') !== scope) {
    return [];
  }
  const list = raw.split('.');
  return list.every((c) => /^[A-Za-z0-9_-]{1,512}$/.test(c)) && list.length <= 100 ? list : [];
}

/** The search string with the cursors replaced, other parameters (the filters) kept. */
export function withPages(search: string, cursors: readonly string[], scope = ''): string {
  const params = new URLSearchParams(search);
  params.delete(scopeParam);
  if (cursors.length === 0) {
    params.delete(pagesParam);
  } else {
    params.set(pagesParam, cursors.join('.'));
    if (scope !== '') {
      params.set(scopeParam, scope);
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * Paging through a forward-only Relay connection (`first`/`after`): "Next" follows endCursor,
 * "Previous" returns to the cursor before it. The cursors live in the URL, so a page of a list
 * can be shared or reloaded and the browser's Back goes to the previous page; a filter change
 * writes a new query string without them, which starts again from the first page. A list whose
 * filter is not in the URL (kept in the page's state) passes it as `scope`: cursors taken under
 * another filter then read as the first page.
 */
export function useCursorPages(scope = '') {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const cursors = parsePages(search, scope);
  const go = (next: readonly string[]) => navigate(`${location}${withPages(search, next, scope)}`);
  return {
    after: cursors.at(-1) ?? null,
    page: cursors.length + 1,
    hasPrevious: cursors.length > 0,
    next: (endCursor: string | null | undefined) => {
      if (endCursor) {
        go([...cursors, endCursor]);
      }
    },
    previous: () => go(cursors.slice(0, -1)),
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
