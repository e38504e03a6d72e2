// @ts-check
// Procurement in Chromium against the real binary and its demo data: Brightlight's owner sends an
// RFQ to two suppliers, each supplier's own user answers it in the supplier workspace (without
// seeing the hidden target price), the owner compares landed costs with freight and duties and
// awards, the supplier confirms and ships, the warehouse receives the ASN, and the purchase
// order shows its receiving progress and the supplier's score.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accessibilityViolations, withPage } from './browser.mjs';
import { apiSession, assertClean, settle, signIn, visit } from './session.mjs';
import { startTradehub } from './tradehub.mjs';

/** @typedef {import('playwright-core').Page} Page */

/** @type {import('./tradehub.mjs').Tradehub} */
let tradehub;
const owner = 'owner@brightlight.test';
let brightlight = '';

/** @param {Page} page */
async function assertAccessible(page) {
  await settle(page);
  assert.deepEqual(await accessibilityViolations(page), []);
}

/**
 * Answers the only open invitation in the supplier workspace.
 * @param {string} email
 * @param {{ price: string, moq: string, lead: string, currency: string, incoterm: string }} quote
 */
async function answerAs(email, quote) {
  await withPage(`procurement-${email}`, async (session) => {
    const { page } = session;
    await signIn(page, tradehub.baseURL, email);
    await page.getByRole('heading', { level: 1, name: 'Supplier workspace' }).waitFor();
    const invitation = page.getByTestId('invitation').first();
    await invitation.waitFor();
    assert.equal(await invitation.getByTestId('target-price').first().innerText(), 'Hidden');
    await invitation.getByLabel('Unit price 1').fill(quote.price);
    await invitation.getByLabel('MOQ 1').fill(quote.moq);
    await invitation.getByLabel('Lead time (days) 1').fill(quote.lead);
    await invitation.getByLabel('Currency').fill(quote.currency);
    await invitation.getByLabel('Incoterm').selectOption(quote.incoterm);
    await assertAccessible(page);
    await invitation.getByRole('button', { name: 'Submit quote' }).click();
    await invitation.getByText('Quote submitted (revision 1).').waitFor();
    await assertClean(session, tradehub.baseURL);
  });
}

describe('procurement in Chromium', { timeout: 600_000 }, () => {
  before(async () => {
    tradehub = await startTradehub();
    const api = await apiSession(tradehub.baseURL, owner);
    const { viewer: me } = await api('{ viewer { memberships { account { id } } } }');
    brightlight = me.memberships[0].account.id;
  });

  after(async () => {
    await tradehub?.stop();
  });

  test('an RFQ to two suppliers, their quotes, the landed-cost comparison, the award, shipping and receiving', async () => {
    let rfqURL = '';
    await withPage('procurement-owner-rfq', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, owner);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sourcing' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sourcing' }).waitFor();
      await page.getByTestId('supplier-table').getByText('Dongguan Precision Molding').waitFor();
      await assertAccessible(page);
      await page.getByRole('link', { name: 'New RFQ' }).click();
      await page.getByRole('heading', { level: 1, name: 'New request for quotation' }).waitFor();
      const form = page.getByTestId('rfq-form');
      await form.getByLabel('Title').fill('Desk lamps for LAX1');
      const warehouse = form.getByLabel('Destination warehouse');
      await warehouse.locator('option', { hasText: 'LAX1' }).waitFor({ state: 'attached' });
      await warehouse.selectOption({ label: (await warehouse.locator('option', { hasText: 'LAX1' }).innerText()).trim() });
      const sku = form.getByLabel('SKU');
      await sku.locator('option', { hasText: 'BL-LAMP-01' }).waitFor({ state: 'attached' });
      await sku.selectOption({ label: (await sku.locator('option', { hasText: 'BL-LAMP-01' }).innerText()).trim() });
      await form.getByLabel('Quantity').fill('300');
      await form.getByLabel('Target unit price').fill('11.00');
      await form.getByLabel('Unit weight (g)').fill('1200');
      await form.getByLabel('HS code').fill('8513.10');
      await form.getByLabel(/Dongguan Precision Molding/).check();
      await form.getByLabel(/Ningbo Homeware/).check();
      await assertAccessible(page);
      await form.getByRole('button', { name: 'Create and send' }).click();
      await page.waitForURL(/\/procurement\/rfqs\/rfq_/);
      await page.getByText('Open for quotes').first().waitFor();
      rfqURL = page.url();
      await assertClean(session, tradehub.baseURL);
    });

    await answerAs('sales@dongguan-precision.test', { price: '85.00', moq: '100', lead: '20', currency: 'CNY', incoterm: 'FOB' });
    await answerAs('sales@ningbo-homeware.test', { price: '12.40', moq: '100', lead: '30', currency: 'USD', incoterm: 'CIF' });

    let poNumber = '';
    await withPage('procurement-owner-award', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, owner);
      await visit(page, rfqURL);
      await page.getByTestId('quote-table').waitFor();
      await page.getByRole('button', { name: 'Compare landed costs' }).click();
      const rows = page.getByTestId('comparison-row');
      await rows.nth(1).waitFor();
      assert.equal(await rows.count(), 2);
      const fob = rows.filter({ hasText: 'Dongguan' });
      assert.match(await fob.innerText(), /OCEANIC|SWIFTX|SILKAIR|PANDAPOST/, 'FOB pays freight, with its carrier');
      assert.match(await fob.innerText(), /CNY\/USD=/);
      await assertAccessible(page);
      await fob.getByRole('button', { name: 'Award' }).click();
      const notice = page.getByTestId('notice');
      await notice.waitFor();
      poNumber = /PO-\d{4}-\d{6}/.exec(await notice.innerText())?.[0] ?? '';
      assert.ok(poNumber, 'a purchase order number');
      await page.getByText('Awarded').first().waitFor();
      await assertClean(session, tradehub.baseURL);
    });

    await withPage('procurement-supplier-ships', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, 'sales@dongguan-precision.test');
      const row = page.getByTestId('supplier-po-table').getByRole('row', { name: new RegExp(poNumber) });
      await row.getByRole('button', { name: 'Confirm' }).click();
      await row.getByRole('button', { name: 'Mark shipped' }).click();
      await row.getByText('Shipped').waitFor();
      await assertAccessible(page);
      await assertClean(session, tradehub.baseURL);
    });

    // The warehouse receives the ASN the shipment created: 295 good, 5 damaged.
    const op = await apiSession(tradehub.baseURL, 'operator@brightlight.test');
    const { purchaseOrders } = await op('query($a: ID!) { purchaseOrders(accountId: $a) { nodes { id number receipt { id } lines { skuId } } } }', {
      a: brightlight,
    });
    const po = purchaseOrders.nodes.find((/** @type {any} */ p) => p.number === poNumber);
    assert.ok(po?.receipt?.id, 'the shipped PO has an inbound receipt');
    const received = await op(
      'mutation($id: ID!, $s: ID!) { receiveReceipt(input: {receiptId: $id, lines: [{skuId: $s, received: 295, damaged: 5}]}) { userErrors { message } } }',
      { id: po.receipt.id, s: po.lines[0].skuId },
    );
    assert.deepEqual(received.receiveReceipt.userErrors, []);

    await withPage('procurement-owner-po', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, owner);
      await visit(page, `${tradehub.baseURL}/accounts/${brightlight}/procurement/purchase-orders/${po.id}`);
      await page.getByRole('heading', { level: 1, name: poNumber }).waitFor();
      await page.getByText('Received', { exact: true }).first().waitFor();
      assert.equal(await page.getByTestId('line-received').innerText(), '295');
      assert.equal(await page.getByTestId('line-rejected').innerText(), '5');
      assert.match(await page.getByTestId('receiving-progress').innerText(), /100 %/);
      assert.match(await page.getByTestId('supplier-score').innerText(), /^\d+$/);
      await assertAccessible(page);
      await assertClean(session, tradehub.baseURL);
    });
  });
});
