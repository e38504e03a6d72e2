// @ts-check
// Billing in Chromium against the real binary and its demo data: the account manager adds an
// ad-hoc charge, runs the month, reviews the consolidated draft by service, finalizes it and
// records the bank transfer; the seller's owner then sees it PAID, with its PDF, and its current
// usage. (The Stripe path — push, hosted page, signed webhook — is cmd/tradehub's
// TestBillingMonthEndToEnd, against stripe-mock.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accessibilityViolations, withPage } from './browser.mjs';
import { apiSession, assertClean, settle, signIn, visit } from './session.mjs';
import { startTradehub } from './tradehub.mjs';

/** @typedef {import('playwright-core').Page} Page */

/** @type {import('./tradehub.mjs').Tradehub} */
let tradehub;
const manager = 'am.lin@tradehub.test';
const owner = 'owner@kessler-outdoor.test';
let kessler = '';

/** @param {Page} page */
async function assertAccessible(page) {
  await settle(page);
  assert.deepEqual(await accessibilityViolations(page), []);
}

describe('billing in Chromium', { timeout: 600_000 }, () => {
  before(async () => {
    tradehub = await startTradehub();
    const api = await apiSession(tradehub.baseURL, owner);
    const { viewer: me } = await api('{ viewer { memberships { account { id } } } }');
    kessler = me.memberships[0].account.id;
  });

  after(async () => {
    await tradehub?.stop();
  });

  test('an account manager bills the month; the seller sees the invoice paid', async () => {
    await withPage('billing-manager', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, manager);
      await visit(page, `${tradehub.baseURL}/accounts/${kessler}/billing`);
      const console_ = page.getByTestId('billing-console');
      await console_.getByLabel('Amount').fill('120.00');
      await console_.getByLabel('Currency').selectOption('EUR');
      await console_.getByLabel('Reason', { exact: true }).fill('Pallet relabelling');
      await console_.getByRole('button', { name: 'Add' }).click();
      await console_.getByText('Added: the next run of its month bills it.').waitFor();

      await console_.getByRole('button', { name: 'Run the month' }).click();
      await page.getByTestId('run-done').waitFor();
      await assertAccessible(page);

      const row = page.getByTestId('invoices').getByRole('row').filter({ hasText: 'Draft' }).first();
      await row.getByRole('link', { name: 'Draft' }).click();
      await page.getByRole('heading', { name: 'Draft invoice' }).waitFor();
      const other = page.locator('[data-section="OTHER"]');
      await other.getByText('Ad-hoc charge: Pallet relabelling').waitFor();
      await assertAccessible(page);

      await page.getByRole('button', { name: 'Finalize' }).click();
      await page.getByRole('heading', { name: /^Invoice TH-\d{4}-\d{6}$/ }).waitFor();
      assert.equal(await page.getByTestId('invoice-status').textContent(), 'Open');

      // Pay the balance in full by bank transfer, as the bank statement shows it.
      const invoiceId = new URL(page.url()).pathname.split('/').at(-1);
      const api = await apiSession(tradehub.baseURL, manager);
      const { invoice } = await api('query($id: ID!) { invoice(id: $id) { balance { amount } } }', { id: invoiceId });
      await page.getByLabel(/^Amount/).fill(invoice.balance.amount);
      await page.getByLabel('Bank reference').fill('SEPA-2026-0042');
      await page.getByRole('button', { name: 'Record' }).click();
      await page.getByText('Payment recorded.').waitFor();
      await page.getByTestId('invoice-status').getByText('Paid').waitFor();
      await assertClean(session, tradehub.baseURL);
    });

    await withPage('billing-seller', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, owner);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
      await page.getByTestId('invoices').getByText('Paid').waitFor();
      await page.getByTestId('current-usage').waitFor();
      assert.equal(await page.getByTestId('billing-console').count(), 0, 'sellers have no billing console');
      await assertAccessible(page);
      await page.getByTestId('invoices').getByRole('link', { name: /^TH-/ }).first().click();
      await page.getByTestId('invoice-status').getByText('Paid').waitFor();
      const pdf = await page.getByRole('link', { name: 'Download PDF' }).getAttribute('href');
      assert.ok(pdf);
      const res = await page.request.get(`${tradehub.baseURL}${pdf}`);
      assert.equal(res.status(), 200);
      assert.equal(res.headers()['content-type'], 'application/pdf');
      await assertAccessible(page);
      await assertClean(session, tradehub.baseURL);
    });
  });
});
