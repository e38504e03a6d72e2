// A one-time notice carried across a navigation: a form that creates something goes to the new
// object's page, which says what was done ("Order SHOP-1001 was created."). It is shown once, so
// reloading the page or coming back to it later does not show it again.
import { useEffect, useState } from 'react';

let pending: { path: string; text: string } | null = null;

/** Leaves `text` for the page at `path`, which the caller navigates to next. */
export function setFlash(path: string, text: string): void {
  pending = { path, text };
}

/** The notice left for `path`, or ''; it stays until `clearFlash`. */
export function peekFlash(path: string): string {
  return pending?.path === path ? pending.text : '';
}

export function clearFlash(path: string): void {
  if (pending?.path === path) {
    pending = null;
  }
}

/**
 * The page's notice: what was left for `path` when it first showed, then whatever the page sets.
 * It is read during render and forgotten only once the page is on screen, because React may
 * render a page more than once before showing it (a lazily loaded page suspends and renders
 * again): reading it destructively in render would lose it.
 */
export function useFlash(path: string): [string, (text: string) => void] {
  const [text, setText] = useState(() => peekFlash(path));
  useEffect(() => clearFlash(path), [path]);
  return [text, setText];
}
