// @ts-check
// Webhooks, the invitation preview and the partner's borrowers, clicked through in Chromium
// against the real binary and its demo data (internal/demo). The webhook's receiver is a tiny
// HTTP server on 127.0.0.1 (development mode allows loopback targets) that answers 500 the
// first time and 204 afterwards.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { accessibilityViolations, withPage } from './browser.mjs';
import { apiSession, assertClean, settle, signIn, visit, watchRequests } from './session.mjs';
import { startTradehub } from './tradehub.mjs';

/** @typedef {import('playwright-core').Page} Page */

/** @type {import('./tradehub.mjs').Tradehub} */
let tradehub;
const owner = 'owner@brightlight.test';
const run = Date.now().toString(36).toUpperCase();
let brightlight = '';

/** @param {Page} page */
function mainNav(page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/** @param {Page} page */
async function assertAccessible(page) {
  await settle(page);
  assert.deepEqual(await accessibilityViolations(page), []);
}

/**
 * A receiver that fails its first request with 500 and accepts the others with 204.
 * @returns {Promise<{ url: string, requests: { headers: import('node:http').IncomingHttpHeaders, body: string }[], close: () => Promise<void> }>}
 */
async function startReceiver() {
  /** @type {{ headers: import('node:http').IncomingHttpHeaders, body: string }[]} */
  const requests = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      res.writeHead(requests.length === 1 ? 500 : 204);
      res.end(requests.length === 1 ? 'not yet' : undefined);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const addr = server.address();
  assert.ok(addr && typeof addr !== 'string');
  return {
    url: `http://127.0.0.1:${addr.port}/hooks`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

describe('webhooks, invitations and partners in Chromium', { timeout: 600_000 }, () => {
  before(async () => {
    tradehub = await startTradehub();
    const api = await apiSession(tradehub.baseURL, owner);
    const { viewer } = await api('{ viewer { memberships { account { id } } } }');
    brightlight = viewer.memberships[0].account.id;
  });

  after(async () => {
    await tradehub?.stop();
  });

  test('an owner registers a webhook, sees its secret once, and sees a failed then succeeded delivery', async () => {
    const receiver = await startReceiver();
    try {
      await withPage('webhooks-owner', async (session) => {
        const { page } = session;
        await signIn(page, tradehub.baseURL, owner);
        await mainNav(page).getByRole('link', { name: 'Webhooks' }).click();
        await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
        const form = page.getByRole('form', { name: 'Add a webhook' });
        await form.waitFor();
        await assertAccessible(page);

        // The portal's own check: no event type chosen.
        await form.getByLabel('Endpoint URL').fill(receiver.url);
        await form.getByRole('button', { name: 'Add webhook' }).click();
        await form.locator('.field-errors').filter({ hasText: 'Choose at least one event type' }).waitFor();

        // The server's: a URL that is not one, at the URL field, in the catalog's words.
        await form.getByLabel('Endpoint URL').fill('not a url');
        await form.getByLabel(/All event types/).check();
        await form.getByRole('button', { name: 'Add webhook' }).click();
        await form.locator('.field-invalid .field-errors').filter({ hasText: /URL/ }).waitFor();
        assert.equal(await form.getByLabel('Endpoint URL').getAttribute('aria-invalid'), 'true');

        await form.getByLabel('Endpoint URL').fill(receiver.url);
        await form.getByLabel('Description (optional)').fill(`e2e ${run}`);
        await form.getByRole('button', { name: 'Add webhook' }).click();

        const dialog = page.getByRole('dialog', { name: /signing secret/ });
        await dialog.waitFor();
        assert.match(await dialog.innerText(), /will not be shown again/);
        const secret = await dialog.getByLabel('Signing secret').inputValue();
        assert.match(secret, /^whsec_/);
        await assertAccessible(page);
        await dialog.getByRole('button', { name: 'I have stored it' }).click();
        await dialog.waitFor({ state: 'detached' });
        // Once: nowhere on the page any more.
        assert.equal(await page.getByText(secret).count(), 0);
        assert.equal((await page.content()).includes(secret), false);

        const row = page.getByRole('row').filter({ hasText: receiver.url });
        await row.waitFor();
        assert.match(await row.innerText(), /Healthy/);
        assert.match(await row.innerText(), /All event types/);
        await row.getByRole('link').click();
        await page.getByRole('heading', { level: 1, name: 'Webhook' }).waitFor();
        await page.getByRole('heading', { name: 'Delivery log' }).waitFor();

        // A change in the account: a new SKU.
        const api = await apiSession(tradehub.baseURL, owner);
        const created = await api(
          `mutation($input: CreateSkuInput!) { createSku(input: $input) { sku { id } userErrors { code message } } }`,
          {
            input: {
              accountId: brightlight,
              code: `WH-${run}`,
              name: 'Webhook test SKU',
              unitValue: { amount: '1.00', currencyCode: 'USD' },
            },
          },
        );
        assert.deepEqual(created.createSku.userErrors, []);

        // The first attempt fails (500); the page looks again while the delivery is pending.
        const delivery = page.locator('[data-testid="deliveries"] tbody tr').first();
        const firstAttempt = delivery.locator('[data-attempt="1"][data-succeeded="false"]');
        // Wait (outside the page) until the first attempt is logged, then refresh the page once.
        const deadline = Date.now() + 30_000;
        for (;;) {
          const { webhookSubscriptions } = await api(
            'query($a: ID!) { webhookSubscriptions(accountId: $a) { nodes { url deliveries(first: 5) { nodes { attemptCount } } } } }',
            { a: brightlight },
          );
          const mine = webhookSubscriptions.nodes.find((/** @type {any} */ n) => n.url === receiver.url);
          if (mine?.deliveries.nodes.some((/** @type {any} */ d) => d.attemptCount >= 1)) {
            break;
          }
          assert.ok(Date.now() < deadline, `no attempt logged; the receiver got ${receiver.requests.length} requests`);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        await settle(page);
        await page.getByRole('button', { name: 'Refresh' }).click();
        await firstAttempt.waitFor();
        assert.match(await delivery.innerText(), /HTTP 500/);

        // The retry is 30 s away: redeliver now.
        await delivery.getByRole('button', { name: /Redeliver/ }).click();
        await page.getByRole('status').filter({ hasText: /being sent again/ }).waitFor();
        const succeeded = page.locator('[data-testid="deliveries"] tbody tr[data-status="SUCCEEDED"]').first();
        await succeeded.waitFor({ timeout: 30_000 });
        const text = await succeeded.innerText();
        assert.match(text, /Attempt 2 \(redelivery\): succeeded · HTTP 204/);
        assert.match(text, /Attempt 1: failed · HTTP 500/);
        assert.match(text, /\d+ ms/);
        assert.ok(receiver.requests.length >= 2);
        assert.ok(receiver.requests.every((r) => typeof r.headers['tradehub-signature'] === 'string'));
        // The same Tradehub-Webhook-Id on both attempts.
        assert.equal(receiver.requests[0]?.headers['tradehub-webhook-id'], receiver.requests[1]?.headers['tradehub-webhook-id']);
        await assertAccessible(page);

        // Rotate: the new secret is shown once too.
        await page.getByRole('button', { name: 'Rotate secret' }).click();
        await page.getByRole('dialog', { name: 'Rotate the signing secret?' }).getByRole('button', { name: 'Rotate secret' }).click();
        const rotated = page.getByRole('dialog', { name: /new signing secret/ });
        await rotated.waitFor();
        const next = await rotated.getByLabel('Signing secret').inputValue();
        assert.match(next, /^whsec_/);
        assert.notEqual(next, secret);
        await rotated.getByRole('button', { name: 'I have stored it' }).click();
        await rotated.waitFor({ state: 'detached' });

        // Pause and resume.
        await page.getByRole('button', { name: 'Pause' }).click();
        await page.getByRole('status').filter({ hasText: 'The webhook was paused.' }).waitFor();
        await page.getByRole('button', { name: 'Resume' }).click();
        await page.getByRole('status').filter({ hasText: /was resumed/ }).waitFor();

        // Edit: a URL Tradehub may not call shows at the URL field.
        await page.getByRole('button', { name: 'Edit' }).click();
        const edit = page.getByRole('form', { name: 'Change the webhook' });
        await edit.getByLabel('Description (optional)').fill(`e2e ${run} edited`);
        await edit.getByRole('button', { name: 'Save changes' }).click();
        await page.getByRole('status').filter({ hasText: 'The webhook was changed.' }).waitFor();
        await page.getByTestId('webhook-details').filter({ hasText: `e2e ${run} edited` }).waitFor();

        // Delete, after a confirmation.
        await settle(page);
        await page.getByRole('button', { name: 'Delete' }).click();
        await page.getByRole('dialog', { name: 'Delete this webhook?' }).getByRole('button', { name: 'Delete webhook' }).click();
        await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
        await page.getByRole('row').filter({ hasText: receiver.url }).waitFor({ state: 'detached' });
        await assertClean(session, tradehub.baseURL);
      });
    } finally {
      await receiver.close();
    }
  });

  /**
   * Invites an email to Brightlight over the API and returns the token of its link, from the
   * server log (in development the email is written there).
   * @param {string} email
   * @param {string} role
   */
  async function invite(email, role) {
    const api = await apiSession(tradehub.baseURL, owner);
    const { inviteAccountMember } = await api(
      'mutation($input: InviteAccountMemberInput!) { inviteAccountMember(input: $input) { invitation { id } userErrors { code message } } }',
      { input: { accountId: brightlight, email, role } },
    );
    assert.deepEqual(inviteAccountMember.userErrors, []);
    let link = '';
    const deadline = Date.now() + 5_000;
    while (!link && Date.now() < deadline) {
      link =
        /https?:\/\/[^\s"\\]+\/accept-invitation\?token=[A-Za-z0-9_-]+/.exec(
          tradehub.output().split('\n').filter((l) => l.includes(email)).join('\n'),
        )?.[0] ?? '';
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(link, 'no invitation link in the server log');
    return new URL(link).searchParams.get('token') ?? '';
  }

  test('an invitation link says what it offers before it is accepted; a bad link says what to do', async () => {
    const email = `preview.${Date.now()}@example.com`;
    const newToken = await invite(email, 'FINANCE');
    const existingToken = await invite('owner@kessler-outdoor.test', 'VIEWER');
    await withPage('invitation-preview', async (session) => {
      const { page } = session;
      watchRequests(page);
      await page.goto(`${tradehub.baseURL}/accept-invitation?token=${newToken}`);
      const title = page.getByRole('heading', { level: 1 });
      await page.getByTestId('invitation-title').waitFor();
      assert.equal(await title.innerText(), 'Join Shenzhen Brightlight Electronics Co., Ltd. as finance');
      assert.match(await page.getByTestId('invitation-email').innerText(), new RegExp(email.replace(/\./g, '\\.')));
      await page.getByLabel('Your name').waitFor();
      await page.getByLabel('Password').waitFor();
      await assertAccessible(page);

      // Someone who already uses Tradehub: the current password only, no name.
      await visit(page, `${tradehub.baseURL}/accept-invitation?token=${existingToken}`);
      await page.getByTestId('invitation-title').filter({ hasText: 'as viewer' }).waitFor();
      assert.match(await page.getByTestId('invitation-email').innerText(), /owner@kessler-outdoor\.test/);
      await page.getByLabel('Current password').waitFor();
      assert.equal(await page.getByLabel('Your name').count(), 0);
      await assertAccessible(page);

      // An unknown token.
      await visit(page, `${tradehub.baseURL}/accept-invitation?token=not-a-real-token`);
      await page.getByTestId('invitation-problem').filter({ hasText: 'This invitation link is not valid' }).waitFor();
      await assertAccessible(page);
      await assertClean(session, tradehub.baseURL);
    });
  });

  test('a viewer has no Webhooks item, and its URL says "You don\'t have access"', async () => {
    await withPage('webhooks-viewer', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, 'viewer@brightlight.test');
      await mainNav(page).getByRole('link', { name: 'Dashboard' }).waitFor();
      assert.equal(await mainNav(page).getByRole('link', { name: 'Webhooks' }).count(), 0);
      await visit(page, `${tradehub.baseURL}/accounts/${brightlight}/webhooks`);
      await page.getByRole('heading', { name: "You don't have access" }).waitFor();
      await assertAccessible(page);
      await assertClean(session, tradehub.baseURL);
    });
  });

  test('the partner admin sees the two borrowers that consented', async () => {
    await withPage('partner-borrowers', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, 'partner.admin@harborfinance.test');
      await page.getByRole('heading', { level: 1, name: 'Harbor Trade Finance' }).waitFor();
      const rows = page.locator('[data-testid="borrowers"] tbody tr');
      await rows.first().waitFor();
      const texts = await rows.allInnerTexts();
      assert.equal(texts.length, 2, texts.join(' | '));
      for (const t of texts) {
        assert.match(t, /\(([A-Z]{2})\)/);
      }
      await assertAccessible(page);
      await assertClean(session, tradehub.baseURL);
    });
  });
});
