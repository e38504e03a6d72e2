// @ts-check
// Browser smoke tests against the real binary: the pages render, talk to /graphql the way the
// server's CSRF rule wants, and load nothing from any other origin.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { foreign, waitForText, withPage } from './browser.mjs';
import { startTradehub } from './tradehub.mjs';

/** @type {import('./tradehub.mjs').Tradehub} */
let tradehub;

describe('portal in Chromium', { timeout: 300_000 }, () => {
  before(async () => {
    // A `go build` of the server on a cold cache takes minutes; the ready wait is 60 s of that.
    tradehub = await startTradehub();
  }, { timeout: 300_000 });

  after(async () => {
    await tradehub?.stop();
  });

  test('home shows the viewer state, loading only from its own origin', async () => {
    await withPage('home', async ({ page, requests, errors }) => {
      const graphqlRequest = page.waitForRequest((req) => req.url().endsWith('/graphql'));
      await page.goto(`${tradehub.baseURL}/`);

      const req = await graphqlRequest;
      assert.equal(req.method(), 'POST');
      const headers = await req.allHeaders();
      assert.equal(headers['content-type'], 'application/json');
      assert.equal(headers['x-tradehub-csrf'], '1');

      const session = page.locator('section[data-state="signed-out"]');
      await session.waitFor();
      assert.match(await session.innerText(), /You are not signed in/);
      assert.equal(await page.title(), 'Home · Tradehub');

      await page.waitForLoadState('networkidle');
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign(requests, tradehub.baseURL), []);
    });
  });

  test('home explains a failed API call and recovers on retry', async () => {
    await withPage('home-api-down', async ({ page }) => {
      // The API "goes down" for this page only; the server itself stays up for the other tests.
      await page.route('**/graphql', (route) => route.abort('connectionrefused'));
      await page.goto(`${tradehub.baseURL}/`);
      const problem = page.locator('section[data-state="problem"]');
      await problem.waitFor();
      assert.match(await problem.innerText(), /cannot be reached/);
      assert.match(await problem.innerText(), /What to do:/);

      await page.unroute('**/graphql');
      await page.getByRole('button', { name: 'Retry' }).click();
      await page.locator('section[data-state="signed-out"]').waitFor();
    });
  });

  test('unknown paths show the 404 page; account pages ask to sign in first', async () => {
    await withPage('404-and-sign-in-redirect', async ({ page, requests, errors }) => {
      // A deep link the server does not know: it answers index.html, the router the 404 page.
      const res = await page.goto(`${tradehub.baseURL}/shipments/shp_unknown`);
      assert.equal(res?.status(), 200);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();

      // An account page while signed out: the sign-in page, which will come back to it.
      await page.goto(`${tradehub.baseURL}/accounts/acct_unknown/team`);
      await page.getByRole('heading', { name: 'Sign in to Tradehub' }).waitFor();
      const url = new URL(page.url());
      assert.equal(url.pathname, '/sign-in');
      assert.equal(url.searchParams.get('next'), '/accounts/acct_unknown/team');

      await page.waitForLoadState('networkidle');
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign(requests, tradehub.baseURL), []);
    });
  });

  test('GraphiQL runs a query, loading only from its own origin', async () => {
    await withPage('graphiql', async ({ page, requests, errors }) => {
      const query = '{ viewer { __typename } }';
      await page.goto(`${tradehub.baseURL}/graphiql`);

      const editor = page.locator('.graphiql-query-editor .monaco-editor');
      await editor.waitFor();
      await editor.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText(query);
      // Monaco closes the opening brace by itself, after the cursor: drop whatever follows.
      await page.keyboard.press('Shift+ControlOrMeta+End');
      await page.keyboard.press('Delete');
      await waitForText(editor.locator('.view-lines'), (text) => text === query, 'the query in the editor');

      const response = page.waitForResponse((res) => res.url().endsWith('/graphql') && isQuery(res.request().postData()));
      await page.getByRole('button', { name: /^Execute query/ }).click();
      assert.equal((await response).status(), 200);
      const headers = await (await response).request().allHeaders();
      assert.equal(headers['content-type'], 'application/json');
      assert.equal(headers['x-tradehub-csrf'], '1');

      await waitForText(
        page.locator('.graphiql-response .view-lines'),
        (text) => /"__typename": "Viewer"/.test(text),
        'the result of the query',
      );

      await page.waitForLoadState('networkidle');
      // Monaco's workers are part of the page: they must have come from this origin too.
      assert.ok(requests.some((u) => /\/assets\/[^/]*worker[^/]*\.js$/.test(u)), `no worker loaded: ${requests.join(' ')}`);
      assert.deepEqual(errors, []);
      assert.deepEqual(foreign(requests, tradehub.baseURL), []);
    });
  });
});

/**
 * Whether a /graphql POST body is the test's query rather than GraphiQL's schema introspection.
 * @param {string | null} body
 */
function isQuery(body) {
  return body !== null && body.includes('viewer');
}
