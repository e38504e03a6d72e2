// @ts-check
// Accounts, sign-in, API keys and role-based navigation, clicked through in Chromium against the
// real binary with its demo data (see internal/demo): every demo user's password is the same.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accessibilityViolations, focusOf, foreign, hasFocus, waitForInvalidFocus, withPage } from './browser.mjs';
import { startTradehub } from './tradehub.mjs';
import { settle, watchRequests } from './session.mjs';

/** @typedef {import('playwright-core').Page} Page */

const demoPassword = 'tradehub-demo-2026';
const brightlight = 'Shenzhen Brightlight Electronics Co., Ltd.';
const kessler = 'Kessler Outdoor GmbH';

/** @type {import('./tradehub.mjs').Tradehub} */
let tradehub;

/**
 * Signs in through the form and waits until the portal has left the sign-in page.
 * @param {Page} page
 * @param {string} email
 */
async function signIn(page, email, password = demoPassword) {
  watchRequests(page);
  await page.goto(`${tradehub.baseURL}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signing in goes to `/`, which sends the viewer on to their account or workspace.
  await page.waitForURL((url) => url.pathname !== '/sign-in' && url.pathname !== '/');
  // Let the landing page's requests finish: a test's next page.goto would abort them, and an
  // aborted request counts as a failure. ('networkidle' alone does not wait after a client-side
  // navigation: the document's load state was reached on the sign-in page.)
  await page.waitForLoadState('networkidle');
  await settle(page);
}

/**
 * The account id in the page's URL (`/accounts/<id>/…`).
 * @param {Page} page
 */
function accountIdOf(page) {
  const match = /^\/accounts\/([^/]+)/.exec(new URL(page.url()).pathname);
  assert.ok(match?.[1], `not an account page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/**
 * Signs in over HTTP, as a program would, and returns a function that runs GraphQL with that
 * session: for setting up what the portal itself offers no way to do.
 * @param {string} email
 */
async function apiSession(email) {
  const headers = { 'content-type': 'application/json', 'x-tradehub-csrf': '1' };
  const login = await fetch(`${tradehub.baseURL}/graphql`, {
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
   */
  return async (query, variables = {}) => {
    const res = await fetch(`${tradehub.baseURL}/graphql`, {
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

/** @param {Page} page */
function mainNav(page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/**
 * Console errors, failed requests and other origins: none, on every page of these tests.
 * @param {import('./browser.mjs').Session} session
 */
async function assertClean({ page, errors, requests }) {
  await page.waitForLoadState('networkidle');
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign(requests, tradehub.baseURL), []);
}

describe('accounts in Chromium', { timeout: 300_000 }, () => {
  before(async () => {
    tradehub = await startTradehub();
  }, { timeout: 300_000 });

  after(async () => {
    await tradehub?.stop();
  });

  test('an owner sees the team, creates an API key, sees its secret once, and revokes it', async () => {
    await withPage('owner-api-key', async (session) => {
      const { page } = session;
      await signIn(page, 'owner@brightlight.test');

      // Lands on the account's overview, which the URL names.
      await page.getByRole('heading', { level: 1, name: brightlight }).waitFor();
      const accountId = accountIdOf(page);
      assert.match(accountId, /^acct_/);
      assert.match(await page.locator('.details').innerText(), /China \(CN\)[\s\S]*CNY/);
      assert.equal(await page.getByTestId('acting-as').count(), 0);

      // The team.
      await mainNav(page).getByRole('link', { name: 'Team' }).click();
      await page.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
      assert.equal(new URL(page.url()).pathname, `/accounts/${accountId}/team`);
      const members = page.getByRole('table').first();
      await members.getByRole('cell', { name: 'viewer@brightlight.test' }).waitFor();
      assert.equal(await members.getByRole('row').count(), 1 + 5);

      // A new key: the secret is shown once, in a dialog that has focus.
      await mainNav(page).getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
      const create = page.getByRole('form', { name: 'Create a key' });
      await create.getByLabel('Name').fill('Shopify store (e2e)');
      await create.getByLabel('Role').selectOption('OPERATOR');
      await create.getByRole('button', { name: 'Create key' }).click();

      const dialog = page.getByRole('dialog', { name: /Your new key/ });
      await dialog.waitFor();
      assert.match(await dialog.innerText(), /will not be shown again/);
      const secret = await dialog.getByLabel('Secret').inputValue();
      assert.match(secret, /^th_[a-z]+_[A-Za-z0-9_-]{20,}$/);
      assert.equal((await focusOf(page)).text, 'Copy');
      await dialog.getByRole('button', { name: 'Copy' }).click();
      await dialog.getByRole('status').filter({ hasText: /Copied|press Ctrl\+C/ }).waitFor();

      // Tab stays inside the dialog.
      for (let i = 0; i < 4; i++) {
        await page.keyboard.press('Tab');
        assert.ok((await focusOf(page)).inDialog, 'focus left the dialog');
      }
      await dialog.getByRole('button', { name: 'I have stored it' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.ok(!(await page.content()).includes(secret), 'the secret is still in the page');

      // The list shows the key by its prefix, never the secret.
      const row = page.getByRole('row').filter({ hasText: 'Shopify store (e2e)' });
      await row.waitFor();
      const rowText = await row.innerText();
      assert.ok(rowText.includes(secret.slice(0, 12)), `no prefix of the secret in ${rowText}`);
      assert.match(rowText, /Operator/);
      assert.match(rowText, /Active/);

      // Revoking asks first; Cancel has focus, so Enter alone changes nothing.
      await row.getByRole('button', { name: /^Revoke/ }).click();
      const confirm = page.getByRole('dialog', { name: /Revoke “Shopify store \(e2e\)”/ });
      await confirm.waitFor();
      assert.equal((await focusOf(page)).text, 'Cancel');
      await confirm.getByRole('button', { name: 'Revoke key' }).click();
      await confirm.waitFor({ state: 'detached' });
      await row.getByText('Revoked').waitFor();
      assert.equal(await row.getByRole('button', { name: /^Revoke/ }).count(), 0);
      await page.getByRole('status').filter({ hasText: 'was revoked' }).waitFor();

      await assertClean(session);
    });
  });

  test('form errors: userErrors at their fields, with focus on the first one', async () => {
    await withPage('owner-form-errors', async (session) => {
      const { page } = session;
      await signIn(page, 'owner@brightlight.test');
      const accountId = accountIdOf(page);

      // The portal's own check: the name is required.
      await page.goto(`${tradehub.baseURL}/accounts/${accountId}/api-keys`);
      const create = page.getByRole('form', { name: 'Create a key' });
      await create.getByRole('button', { name: 'Create key' }).click();
      const name = create.getByLabel('Name');
      assert.equal(await name.getAttribute('aria-invalid'), 'true');
      assert.ok(await hasFocus(name), 'focus is not on the name');

      // The server's: an email that is not one, at the email field of the invitation.
      await page.waitForLoadState('networkidle');
      await page.goto(`${tradehub.baseURL}/accounts/${accountId}/team`);
      const invite = page.getByRole('form', { name: 'Invite someone' });
      await invite.getByLabel('Email').fill('not-an-email');
      await invite.getByRole('button', { name: 'Send invitation' }).click();
      const email = invite.getByLabel('Email');
      await waitForInvalidFocus(page);
      assert.ok(await hasFocus(email), 'focus is not on the email');
      const describedBy = await email.getAttribute('aria-describedby');
      assert.ok(describedBy);
      assert.match(await page.locator(`[id="${describedBy.split(' ').at(-1)}"]`).innerText(), /valid email/i);

      await assertClean(session);
    });
  });

  test('an invitation is sent, shown as pending, accepted with password rules shown, and signs the invitee in', async () => {
    const email = `new.hire.${Date.now()}@example.com`;
    /** @type {string} */
    let link = '';
    await withPage('invite', async (session) => {
      const { page } = session;
      await signIn(page, 'admin@brightlight.test');
      await mainNav(page).getByRole('link', { name: 'Team' }).click();
      const invite = page.getByRole('form', { name: 'Invite someone' });
      await invite.getByLabel('Email').fill(email);
      await invite.getByLabel('Role').selectOption('FINANCE');
      // An ADMIN cannot offer OWNER.
      assert.equal(await invite.locator('option[value="OWNER"]').count(), 0);
      await invite.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByRole('status').filter({ hasText: `Invitation sent to ${email}` }).waitFor();
      const pending = page.getByRole('row').filter({ hasText: email });
      await pending.waitFor();
      assert.match(await pending.innerText(), /Finance/);
      await assertClean(session);

      // In development the email is written to the server log.
      const deadline = Date.now() + 5_000;
      while (!link && Date.now() < deadline) {
        link = /https?:\/\/[^\s"\\]+\/accept-invitation\?token=[A-Za-z0-9_-]+/.exec(
          tradehub.output().split('\n').filter((l) => l.includes(email)).join('\n'),
        )?.[0] ?? '';
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(link, 'no invitation link in the server log');
    });

    await withPage('accept-invitation', async (session) => {
      const { page } = session;
      const token = new URL(link).searchParams.get('token');
      await page.goto(`${tradehub.baseURL}/accept-invitation?token=${token}`);
      await page.getByLabel('Your name').fill('New Hire');
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Accept invitation' }).click();
      const password = page.getByLabel('Password');
      await waitForInvalidFocus(page);
      assert.ok(await hasFocus(password), 'focus is not on the password');
      assert.match(await page.locator('.field-errors').innerText(), /12 characters/);

      await password.fill('a long enough passphrase for e2e');
      await page.getByRole('button', { name: 'Accept invitation' }).click();
      await page.getByRole('heading', { level: 1, name: brightlight }).waitFor();
      await page.getByRole('button', { name: /New Hire/ }).waitFor();
      // FINANCE: the warehousing pages to read; no team, no keys.
      assert.deepEqual(await mainNav(page).getByRole('link').allInnerTexts(), ['Dashboard', 'Inventory', 'Inbound', 'Orders', 'Usage', 'Shipments', 'Sourcing', 'Financing', 'Billing']);
      await assertClean(session);
    });
  });

  test('a viewer has no Team or API keys, and their URLs say "You don\'t have access"', async () => {
    await withPage('viewer-no-access', async (session) => {
      const { page } = session;
      await signIn(page, 'viewer@brightlight.test');
      await page.getByRole('heading', { level: 1, name: brightlight }).waitFor();
      const accountId = accountIdOf(page);

      const links = await mainNav(page).getByRole('link').allInnerTexts();
      assert.deepEqual(links, ['Dashboard', 'Inventory', 'Inbound', 'Orders', 'Usage', 'Shipments', 'Sourcing', 'Financing', 'Billing']);

      for (const section of ['team', 'api-keys']) {
        await page.goto(`${tradehub.baseURL}/accounts/${accountId}/${section}`);
        await page.getByRole('heading', { name: "You don't have access" }).waitFor();
        assert.equal(new URL(page.url()).pathname, `/accounts/${accountId}/${section}`);
        assert.equal(await page.getByRole('table').count(), 0);
        assert.equal(await mainNav(page).getByRole('link', { name: 'Team' }).count(), 0);
        assert.equal(await mainNav(page).getByRole('link', { name: 'API keys' }).count(), 0);
      }

      // Another company's account is no more visible than a made-up one.
      await page.goto(`${tradehub.baseURL}/accounts/acct_01hzzzzzzzzzzzzzzzzzzzzzzz`);
      await page.getByRole('heading', { name: "You don't have access" }).waitFor();

      await assertClean(session);
    });
  });

  test('an account manager switches between the accounts of their book, acting as each', async () => {
    await withPage('account-manager-switch', async (session) => {
      const { page } = session;
      await signIn(page, 'am.lin@tradehub.test');

      // Staff land on their console; each account of the book is a click away.
      const book = page.getByTestId('console-accounts');
      await book.waitFor();
      await book.getByRole('link', { name: kessler, exact: true }).click();

      // The first account by name, with the banner.
      const banner = page.getByTestId('acting-as');
      await banner.waitFor();
      assert.match(await banner.innerText(), new RegExp(`Acting as ${kessler} · account manager`));
      const kesslerId = accountIdOf(page);
      assert.deepEqual(await mainNav(page).getByRole('link').allInnerTexts(), [
        'Dashboard',
        'Inventory',
        'Inbound',
        'Orders',
        'Usage',
        'Shipments',
        'Sourcing',
        'Financing',
        'Billing',
        'Team',
        'API keys',
        'Webhooks',
        'My accounts',
      ]);

      // Switch on the team page: the switcher keeps the page.
      await mainNav(page).getByRole('link', { name: 'Team' }).click();
      await page.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
      const switcher = page.getByRole('button', { name: /switch account/ });
      await switcher.click();
      assert.equal(await switcher.getAttribute('aria-expanded'), 'true');
      const options = page.locator('.switcher-list').getByRole('link');
      assert.deepEqual(
        (await options.allInnerTexts()).map((t) => t.split('\n')[0]),
        [kessler, brightlight],
      );
      await options.filter({ hasText: brightlight }).click();

      await page.waitForURL((url) => url.pathname.endsWith('/team') && !url.pathname.includes(kesslerId));
      await banner.filter({ hasText: `Acting as ${brightlight}` }).waitFor();
      const brightlightId = accountIdOf(page);
      assert.notEqual(brightlightId, kesslerId);
      await page.getByRole('cell', { name: 'owner@brightlight.test' }).waitFor();
      // Staff read the team; its owners and admins change it.
      assert.equal(await page.getByRole('form', { name: 'Invite someone' }).count(), 0);

      // And back, with the keyboard: Escape closes the switcher and returns focus to it.
      await switcher.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      assert.equal(await switcher.getAttribute('aria-expanded'), 'false');
      assert.ok(await hasFocus(switcher), 'focus did not return to the switcher');
      await switcher.click();
      await page.locator('.switcher-list').getByRole('link', { name: new RegExp(kessler) }).click();
      await banner.filter({ hasText: `Acting as ${kessler}` }).waitFor();
      assert.equal(accountIdOf(page), kesslerId);

      // A link to an account is shareable: it opens that account.
      await page.goto(`${tradehub.baseURL}/accounts/${brightlightId}`);
      await page.getByRole('heading', { level: 1, name: brightlight }).waitFor();
      await banner.filter({ hasText: `Acting as ${brightlight}` }).waitFor();

      await assertClean(session);
    });
  });

  test('a wrong password shows INVALID_CREDENTIALS in words, and signing out ends the session', async () => {
    await withPage('sign-in-errors-and-sign-out', async (session) => {
      const { page } = session;
      await page.goto(`${tradehub.baseURL}/sign-in`);
      await page.getByLabel('Email').fill('owner@brightlight.test');
      await page.getByLabel('Password').fill('not the password');
      const response = page.waitForResponse((res) => res.url().endsWith('/graphql'));
      await page.getByRole('button', { name: 'Sign in' }).click();
      const body = await (await response).json();
      assert.equal(body.data.login.userErrors[0].code, 'INVALID_CREDENTIALS');
      // Shown where the server put it (the password, or the form as a whole), and focused there.
      await page.getByText('The email or password is wrong. Check both and try again.').waitFor();
      const focused = await focusOf(page);
      assert.ok(focused.invalid === 'true' || focused.role === 'alert', `focus is on no error: ${JSON.stringify(focused)}`);
      assert.match(focused.around, /The email or password is wrong/);
      assert.equal(new URL(page.url()).pathname, '/sign-in');

      // The right one, then out again through the user menu.
      await page.getByLabel('Password').fill(demoPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: brightlight }).waitFor();
      const accountURL = page.url();
      await page.getByRole('button', { name: /account menu/ }).click();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You signed out.').waitFor();

      // The cookie is gone: the account page asks to sign in again.
      await page.goto(accountURL);
      await page.getByRole('heading', { name: 'Sign in to Tradehub' }).waitFor();
      assert.equal(new URL(page.url()).searchParams.get('next'), new URL(accountURL).pathname);

      await assertClean(session);
    });
  });

  test('a suspended account says that changes are refused, and offers none', async () => {
    // A platform admin suspends Maple & Pine through the API (the portal has no page for it yet).
    const admin = await apiSession('admin@tradehub.test');
    const { accounts } = await admin('{ accounts(first: 100) { nodes { id legalName } } }');
    /** @type {{ id: string, legalName: string }[]} */
    const nodes = accounts.nodes;
    const maple = nodes.find((a) => a.legalName === 'Maple & Pine Home LLC');
    assert.ok(maple, 'no Maple & Pine account');
    const { setAccountStatus } = await admin(
      `mutation($input: SetAccountStatusInput!) { setAccountStatus(input: $input) { account { status } userErrors { code message } } }`,
      { input: { accountId: maple.id, status: 'SUSPENDED', reason: 'e2e: unpaid invoices' } },
    );
    assert.deepEqual(setAccountStatus.userErrors, []);

    await withPage('suspended', async (session) => {
      const { page } = session;
      await signIn(page, 'owner@mapleandpine.test');
      const banner = page.getByTestId('account-status');
      await banner.waitFor();
      assert.match(await banner.innerText(), /This account is suspended: changes are refused/);

      await mainNav(page).getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
      await page.getByRole('heading', { name: 'Keys', exact: true }).waitFor();
      assert.equal(await page.getByRole('form', { name: 'Create a key' }).count(), 0);

      await mainNav(page).getByRole('link', { name: 'Team' }).click();
      await page.getByRole('cell', { name: 'owner@mapleandpine.test' }).waitFor();
      assert.equal(await page.getByRole('form', { name: 'Invite someone' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^Remove/ }).count(), 0);
      await assertClean(session);
    });

    // Staff see both banners: whom they act for, and that it is suspended.
    await withPage('suspended-staff', async (session) => {
      const { page } = session;
      await signIn(page, 'am.weber@tradehub.test');
      await page.getByTestId('console-accounts').getByRole('link', { name: 'Maple & Pine Home LLC', exact: true }).click();
      await page.getByTestId('acting-as').filter({ hasText: 'Acting as Maple & Pine Home LLC' }).waitFor();
      await page.getByTestId('account-status').waitFor();
      await assertClean(session);
    });
  });

  test('the pages pass axe-core’s WCAG 2.1 AA checks', async () => {
    await withPage('accessibility', async (session) => {
      const { page } = session;
      /** @type {Record<string, string[]>} */
      const found = {};
      const check = async (/** @type {string} */ name) => {
        const violations = await accessibilityViolations(page);
        if (violations.length > 0) {
          found[name] = violations;
        }
      };

      await page.goto(`${tradehub.baseURL}/sign-in`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await waitForInvalidFocus(page);
      await check('sign-in with errors');

      // An unknown token: the page says so (invitationPreview) rather than offering a form.
      await page.goto(`${tradehub.baseURL}/accept-invitation?token=thi_unknown`);
      await page.getByTestId('invitation-problem').waitFor();
      await check('accept invitation');

      await signIn(page, 'owner@brightlight.test');
      await page.getByRole('heading', { level: 1, name: brightlight }).waitFor();
      await check('account overview');

      await page.getByRole('button', { name: /switch account/ }).click();
      await page.getByRole('button', { name: /account menu/ }).click();
      await check('menus open');
      await page.keyboard.press('Escape');

      await mainNav(page).getByRole('link', { name: 'Team' }).click();
      await page.getByRole('cell', { name: 'owner@brightlight.test' }).waitFor();
      await check('team');
      await page.getByRole('button', { name: /^Change role of Viewer/ }).click();
      await page.getByRole('dialog').waitFor();
      await check('change role dialog');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      // Focus is back on the button that opened the dialog.
      assert.match((await focusOf(page)).label ?? '', /^Change role of Viewer/);

      await mainNav(page).getByRole('link', { name: 'API keys' }).click();
      const create = page.getByRole('form', { name: 'Create a key' });
      await create.getByLabel('Name').fill('axe');
      await create.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('dialog').waitFor();
      await check('secret dialog');

      assert.deepEqual(found, {});
      await assertClean(session);
    });
  });

  test('a partner user sees their partner workspace, and no seller account', async () => {
    await withPage('partner', async (session) => {
      const { page } = session;
      await signIn(page, 'analyst@harborfinance.test');
      await page.waitForURL((url) => url.pathname === '/partner');
      await page.getByRole('heading', { level: 1, name: 'Harbor Trade Finance' }).waitFor();
      assert.deepEqual(await mainNav(page).getByRole('link').allInnerTexts(), ['Partner workspace']);
      assert.equal(await page.getByRole('button', { name: /switch account/ }).count(), 0);
      await assertClean(session);
    });
  });
});
