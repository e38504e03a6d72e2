// @ts-check
// Signing in as a demo user, in the browser and over HTTP, for the browser tests.
import assert from 'node:assert/strict';
import { foreign } from './browser.mjs';

/** @typedef {import('playwright-core').Page} Page */

/** Every demo user's password (see internal/demo). */
export const demoPassword = 'tradehub-demo-2026';

/** @type {WeakMap<Page, { pending: number, last: number }>} */
const traffic = new WeakMap();

/**
 * Counts the page's requests under way, for `settle`. Installed by `signIn`.
 * @param {Page} page
 */
export function watchRequests(page) {
  if (traffic.has(page)) {
    return;
  }
  const state = { pending: 0, last: Date.now() };
  traffic.set(page, state);
  page.on('request', () => {
    state.pending++;
    state.last = Date.now();
  });
  const done = () => {
    state.pending--;
    state.last = Date.now();
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
}

/**
 * Waits until the page has had no request under way for a moment. The portal moves between
 * pages without loading a document, so Playwright's 'networkidle' says nothing after the first
 * page; leaving a page while its queries are under way aborts them, which the tests count as
 * failures.
 * @param {Page} page
 */
export async function settle(page, quietMs = 300, timeoutMs = 15_000) {
  const state = traffic.get(page);
  const deadline = Date.now() + timeoutMs;
  while (state && Date.now() < deadline) {
    if (state.pending <= 0 && Date.now() - state.last >= quietMs) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Goes to a URL once the current page's requests are done.
 * @param {Page} page
 * @param {string} url
 */
export async function visit(page, url) {
  await settle(page);
  await page.goto(url);
}

/**
 * Signs in through the form and waits until the portal has left the sign-in page and its
 * landing page's requests are done (a next page.goto would abort them, and an aborted request
 * counts as a failure).
 * @param {Page} page
 * @param {string} baseURL
 * @param {string} email
 */
export async function signIn(page, baseURL, email) {
  watchRequests(page);
  await page.goto(`${baseURL}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(demoPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/sign-in' && url.pathname !== '/');
  await page.waitForLoadState('networkidle');
}

/**
 * The account id in the page's URL (`/accounts/<id>/…`).
 * @param {Page} page
 */
export function accountIdOf(page) {
  const match = /^\/accounts\/([^/]+)/.exec(new URL(page.url()).pathname);
  assert.ok(match?.[1], `not an account page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/**
 * Signs in over HTTP, as a program would, and returns a function that runs GraphQL with that
 * session: for looking at what the portal did, from outside it.
 * @param {string} baseURL
 * @param {string} email
 */
export async function apiSession(baseURL, email) {
  const headers = { 'content-type': 'application/json', 'x-tradehub-csrf': '1' };
  const login = await fetch(`${baseURL}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      query: 'mutation($input: LoginInput!) { login(input: $input) { userErrors { code } } }',
      variables: { input: { email, password: demoPassword } },
    }),
  });
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  assert.ok(cookie, `no session cookie for ${email}`);
  /**
   * @param {string} query
   * @param {Record<string, unknown>} [variables]
   * @returns {Promise<any>}
   */
  return async (query, variables = {}) => {
    const res = await fetch(`${baseURL}/graphql`, {
      method: 'POST',
      headers: { ...headers, cookie },
      body: JSON.stringify({ query, variables }),
    });
    /** @type {any} */
    const body = await res.json();
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data;
  };
}

/**
 * Console errors, failed requests and other origins: none.
 * @param {import('./browser.mjs').Session} session
 * @param {string} baseURL
 */
export async function assertClean({ page, errors, requests }, baseURL) {
  await page.waitForLoadState('networkidle');
  await settle(page);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign(requests, baseURL), []);
}
