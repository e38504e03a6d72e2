// @ts-check
// The portal as one product for its audiences: the seller's dashboard, the account manager's
// console, the language each person chose (remembered on the user), the tablet width, and that
// no role reaches another's pages or data. Every page visited is checked with axe-core, and no
// journey may log a console error; a failure leaves a screenshot in web/test-results.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accessibilityViolations, withPage } from './browser.mjs';
import { apiSession, assertClean, demoPassword, settle, signIn, visit, watchRequests } from './session.mjs';
import { startTradehub } from './tradehub.mjs';

/** @typedef {import('playwright-core').Page} Page */

/** @type {import('./tradehub.mjs').Tradehub} */
let tradehub;
/** @type {Record<string, string>} legal name prefix → account id */
const accounts = {};

/**
 * The violations axe-core finds on the page, as "page: rule: target" lines.
 * @param {Page} page
 * @param {string} name
 */
async function axe(page, name) {
  return (await accessibilityViolations(page)).map((v) => `${name}: ${v}`);
}

/**
 * Whether the page scrolls sideways (content wider than the viewport).
 * @param {Page} page
 */
function overflowsSideways(page) {
  return page.evaluate(() => {
    const doc = /** @type {any} */ (globalThis).document.documentElement;
    return doc.scrollWidth > doc.clientWidth + 1;
  });
}

describe('the portal for each audience', { timeout: 600_000 }, () => {
  before(async () => {
    tradehub = await startTradehub();
    const admin = await apiSession(tradehub.baseURL, 'admin@tradehub.test');
    const data = await admin('{ accounts(first: 10) { nodes { id legalName } } }');
    for (const a of data.accounts.nodes) {
      accounts[a.legalName.split(' ')[0]] = a.id;
    }
    assert.ok(accounts['Shenzhen'] && accounts['Kessler'] && accounts['Maple'], JSON.stringify(accounts));
  }, { timeout: 300_000 });

  after(async () => {
    await tradehub?.stop();
  });

  test('a seller lands on the dashboard, switches to Chinese, and finds it again on another browser', async () => {
    /** @type {string[]} */
    const violations = [];
    await withPage('seller-dashboard', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, 'owner@brightlight.test');
      assert.match(new URL(page.url()).pathname, new RegExp(`^/accounts/${accounts['Shenzhen']}$`));
      await page.getByTestId('kpi-inventory-value').waitFor();
      // The demo's Brightlight stock is worth CN¥51,942.00 at unit value (internal/demo).
      assert.match(await page.getByTestId('kpi-inventory-value').innerText(), /CN¥51,942\.00/);
      for (const id of ['kpi-units', 'kpi-in-transit', 'kpi-exceptions']) {
        assert.match(await page.getByTestId(id).innerText(), /\d/);
      }
      // The slots of financing and billing, each from its own query: the demo seller owes nothing.
      await page.getByTestId('kpi-financing').waitFor();
      assert.match(await page.getByTestId('kpi-financing').innerText(), /Open financing[\s\S]*No open loans/);
      await page.getByTestId('kpi-amount-due').waitFor();
      assert.match(await page.getByTestId('kpi-amount-due').innerText(), /Amount due[\s\S]*Nothing owed/);
      await page.waitForLoadState('networkidle');
      violations.push(...(await axe(page, 'dashboard')));

      // Tablet width: everything still fits, nothing scrolls sideways.
      await page.setViewportSize({ width: 768, height: 1024 });
      assert.equal(await overflowsSideways(page), false, 'the dashboard scrolls sideways at 768 px');
      await page.setViewportSize({ width: 1280, height: 800 });

      // Chinese, from the top bar: the whole frame follows at once, and the user keeps it.
      const saved = page.waitForResponse(
        (res) => res.url().endsWith('/graphql') && (res.request().postData() ?? '').includes('UpdateMyPreferences'),
      );
      await page.getByTestId('language').selectOption('zh-CN');
      await saved;
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '仪表盘' }).waitFor();
      assert.equal(await page.evaluate(() => /** @type {any} */ (globalThis).document.documentElement.lang), 'zh-CN');
      assert.match(await page.getByTestId('kpi-inventory-value').innerText(), /库存价值/);
      assert.match(await page.getByTestId('kpi-financing').innerText(), /未结清融资/);
      assert.match(await page.getByTestId('kpi-amount-due').innerText(), /应付金额/);
      violations.push(...(await axe(page, 'dashboard zh-CN')));
      await assertClean(session, tradehub.baseURL);
    });

    // A new browser profile (no local storage): the language comes from the user.
    await withPage('seller-dashboard-zh', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, 'owner@brightlight.test');
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '仪表盘' }).waitFor();
      // Back to English for the other tests, through the same menu.
      await page.getByTestId('language').selectOption('en');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).waitFor();
      await assertClean(session, tradehub.baseURL);
    });
    assert.deepEqual(violations, []);
  });

  test('signed out, Chinese is kept in the browser; errors show from their codes; signing in saves it on the user', async () => {
    await withPage('sign-in-zh', async (session) => {
      const { page } = session;
      await page.goto(`${tradehub.baseURL}/sign-in`);
      await page.getByTestId('language').selectOption('zh-CN');
      await page.getByRole('heading', { name: '登录 Tradehub' }).waitFor();
      await page.getByLabel('邮箱').fill('operator@brightlight.test');
      await page.getByLabel('密码').fill('not the password');
      await page.getByRole('button', { name: '登录' }).click();
      // INVALID_CREDENTIALS in Chinese, from the code (at the field or the form, where the server
      // put it): the API's English message is not shown.
      await page.getByText('邮箱或密码错误。请检查后重试。').waitFor();
      assert.doesNotMatch(await page.locator('main').innerText(), /wrong|invalid|password/i);

      await page.reload();
      await page.getByRole('heading', { name: '登录 Tradehub' }).waitFor();
      await page.getByLabel('密码').fill(demoPassword);
      await page.getByLabel('邮箱').fill('operator@brightlight.test');
      const saved = page.waitForResponse(
        (res) => res.url().endsWith('/graphql') && (res.request().postData() ?? '').includes('UpdateMyPreferences'),
      );
      await page.getByRole('button', { name: '登录' }).click();
      await saved;
      await page.getByTestId('kpi-inventory-value').filter({ hasText: '库存价值' }).waitFor();
      await assertClean(session, tradehub.baseURL);
    });
    const operator = await apiSession(tradehub.baseURL, 'operator@brightlight.test');
    const data = await operator('{ viewer { preferences { locale } } }');
    assert.equal(data.viewer.preferences.locale, 'zh-CN');
  });

  test('an account manager starts from the console, drills into an account and acts as it', async () => {
    await withPage('account-manager-console', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, 'am.lin@tradehub.test');
      assert.equal(new URL(page.url()).pathname, '/console');
      const book = page.getByTestId('console-accounts');
      await book.waitFor();
      const names = await book.locator('tbody th[scope="row"] a').allInnerTexts();
      assert.deepEqual(names, ['Kessler Outdoor GmbH', 'Shenzhen Brightlight Electronics Co., Ltd.']);
      /** @type {string[]} */
      const violations = await axe(page, 'console');

      // Filters live in the URL, so a filtered view can be shared.
      await page.getByLabel('Sort by').selectOption('issues');
      await page.waitForURL((url) => url.searchParams.get('sort') === 'issues');
      await page.getByLabel('Find an account').fill('kessler');
      await page.getByLabel('Find an account').press('Enter');
      await page.waitForURL((url) => url.searchParams.get('q') === 'kessler');
      assert.deepEqual(await book.locator('tbody th[scope="row"] a').allInnerTexts(), ['Kessler Outdoor GmbH']);

      await page.setViewportSize({ width: 768, height: 1024 });
      assert.equal(await overflowsSideways(page), false, 'the console scrolls sideways at 768 px');
      await page.setViewportSize({ width: 1280, height: 800 });

      await book.getByRole('link', { name: 'Kessler Outdoor GmbH', exact: true }).click();
      await page.getByTestId('acting-as').filter({ hasText: 'Acting as Kessler Outdoor GmbH' }).waitFor();
      await page.getByTestId('kpi-inventory-value').waitFor();
      await page.waitForLoadState('networkidle');
      violations.push(...(await axe(page, 'dashboard as account manager')));

      // Back to the console from the navigation.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My accounts' }).click();
      await book.waitFor();
      assert.deepEqual(violations, []);
      await assertClean(session, tradehub.baseURL);
    });
  });

  /**
   * Signs in through the form and waits to leave the sign-in page (a supplier has no landing
   * page, so the shared helper's wait for a landing page does not apply).
   * @param {Page} page
   * @param {string} email
   */
  async function signInAnywhere(page, email) {
    watchRequests(page);
    await page.goto(`${tradehub.baseURL}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname !== '/sign-in');
    await settle(page);
  }

  /**
   * Opens each path and expects the page to refuse it, without telling what exists there.
   * @param {Page} page
   * @param {string[]} paths
   */
  async function refused(page, paths) {
    for (const path of paths) {
      await visit(page, `${tradehub.baseURL}${path}`);
      await page.locator('[data-state="no-access"]').first().waitFor();
      // Whatever else the page asked for (its chunks, the frame's queries) finishes before the next.
      await settle(page);
      assert.equal(await page.getByTestId('kpi-inventory-value').count(), 0, `${path} showed figures`);
      assert.equal(await page.getByTestId('console-accounts').count(), 0, `${path} showed the console`);
    }
  }

  test('no role reaches the pages or data of another', async () => {
    const b = accounts['Shenzhen'] ?? '';
    const k = accounts['Kessler'] ?? '';
    const m = accounts['Maple'] ?? '';
    /** @type {[string, string[], string[]][]} who, paths refused, nav links they must not see */
    const cases = [
      ['owner@brightlight.test', [`/accounts/${k}`, `/accounts/${k}/shipments`, `/accounts/${m}/inventory`, '/console', '/partner'], ['My accounts', 'Partner workspace']],
      ['viewer@brightlight.test', [`/accounts/${k}`, `/accounts/${b}/team`, `/accounts/${b}/api-keys`, '/console'], ['Team', 'API keys', 'My accounts']],
      ['partner.admin@harborfinance.test', [`/accounts/${b}`, `/accounts/${b}/inventory`, `/accounts/${k}/shipments`, '/console'], ['My accounts']],
      ['sales@dongguan-precision.test', [`/accounts/${b}`, `/accounts/${k}/usage`, '/console', '/partner'], ['My accounts', 'Partner workspace']],
      ['am.weber@tradehub.test', [`/accounts/${b}`, `/accounts/${k}/inventory`, '/partner'], ['Partner workspace']],
    ];
    for (const [who, paths, hiddenLinks] of cases) {
      await withPage(`roles-${who.split('@')[0]}`, async (session) => {
        const { page } = session;
        await signInAnywhere(page, who);
        const nav = page.getByRole('navigation', { name: 'Main' });
        for (const name of hiddenLinks) {
          assert.equal(await nav.getByRole('link', { name, exact: true }).count(), 0, `${who} sees ${name}`);
        }
        await refused(page, paths);
        await assertClean(session, tradehub.baseURL);
      });
    }

    // The data behind the pages: another seller's figures are NOT_FOUND, as if they did not exist.
    const seller = await apiSession(tradehub.baseURL, 'owner@brightlight.test');
    await assert.rejects(seller('query($a: ID!) { shipmentStats(accountId: $a) { lanes { origin } } }', { a: k }), /NOT_FOUND/);
    await assert.rejects(seller('query($a: ID!) { spendByMonth(accountId: $a) { month } }', { a: k }), /NOT_FOUND/);
    const partner = await apiSession(tradehub.baseURL, 'partner.admin@harborfinance.test');
    await assert.rejects(partner('query($a: ID!) { inventoryValuation(accountId: $a) { asOf } }', { a: b }), /NOT_FOUND/);
    const weber = await apiSession(tradehub.baseURL, 'am.weber@tradehub.test');
    const book = await weber('{ accounts(first: 10) { nodes { legalName health { shipmentExceptions } } } }');
    assert.deepEqual(book.accounts.nodes.map((/** @type {any} */ a) => a.legalName), ['Maple & Pine Home LLC']);
  });
});
