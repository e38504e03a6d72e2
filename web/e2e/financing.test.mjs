// @ts-check
// Financing in Chromium against the real binary and its demo data: Brightlight's owner sees the
// shipment in transit and its stock valued as collateral, sees the cost and asks for financing;
// Harbor's partner admin sees the request with its risk picture, approves and funds it; the
// carrier delivers the shipment, Harbor records the repayment, and the owner's loan is repaid
// with a balanced statement.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { withPage } from './browser.mjs';
import { apiSession, settle, signIn } from './session.mjs';
import { startTradehub } from './tradehub.mjs';

/** @type {import('./tradehub.mjs').Tradehub} */
let tradehub;
const owner = 'owner@brightlight.test';
const partnerAdmin = 'partner.admin@harborfinance.test';
let brightlight = '';

describe('financing in Chromium', { timeout: 600_000 }, () => {
  before(async () => {
    tradehub = await startTradehub();
    const api = await apiSession(tradehub.baseURL, owner);
    const { viewer: me } = await api('{ viewer { memberships { account { id } } } }');
    brightlight = me.memberships[0].account.id;
  });

  after(async () => {
    await tradehub?.stop();
  });

  test('a seller asks, the partner approves and funds, delivery brings the due date, repayment releases the collateral', async () => {
    let requestId = '';
    await withPage('financing-seller', async ({ page }) => {
      await signIn(page, tradehub.baseURL, owner);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Financing' }).click();
      await page.getByRole('heading', { level: 1, name: 'Financing' }).waitFor();
      const facility = page.getByTestId('facility').first();
      const shipment = facility.locator('tr[data-type="IN_TRANSIT_SHIPMENT"][data-eligible="true"]').first();
      await shipment.waitFor();
      await shipment.getByRole('checkbox').check();
      const stock = facility.locator('tr[data-type="WAREHOUSE_INVENTORY"][data-eligible="true"]').first();
      await stock.getByRole('checkbox').check();
      await stock.getByLabel('Units').fill('5');
      await facility.getByLabel(/^Amount/).fill('10000.00');
      await facility.getByLabel('Tenor (days)').fill('60');
      await facility.getByRole('button', { name: 'Show the cost' }).click();
      await page.getByTestId('financing-quote').getByText(/Total to repay/).waitFor();
      await facility.getByRole('button', { name: 'Ask for financing' }).click();
      await page.getByTestId('financing-sent').waitFor();
      const item = page.getByTestId('financing-requests').locator('li[data-status="SUBMITTED"]').first();
      await item.waitFor();
      requestId = (await item.getAttribute('data-request-id')) ?? '';
      assert.ok(requestId);
    });

    await withPage('financing-partner', async ({ page }) => {
      await signIn(page, tradehub.baseURL, partnerAdmin);
      await page.goto(`${tradehub.baseURL}/partner`);
      const card = page.locator(`[data-testid="queue-item"][data-request-id="${requestId}"]`);
      await card.waitFor();
      await card.getByTestId('risk').waitFor();
      await card.getByRole('button', { name: 'Approve' }).click();
      await page.locator(`[data-testid="queue-item"][data-request-id="${requestId}"][data-status="APPROVED"]`).waitFor();
      await card.getByRole('button', { name: 'Fund' }).click();
      await card.waitFor({ state: 'detached' });
      await settle(page);
      assert.equal(await page.getByTestId('open-loans').innerText(), '1');
    });

    // The carrier delivers the shipment; Harbor records the repayment through the API.
    const partnerAPI = await apiSession(tradehub.baseURL, partnerAdmin);
    const { loans } = await partnerAPI(
      'query($a: ID!) { loans(accountId: $a) { id dueDate outstanding { amount } collateral { type id description } } }',
      { a: brightlight },
    );
    assert.equal(loans.length, 1);
    const pledged = loans[0].collateral.find((/** @type {{type: string}} */ c) => c.type === 'IN_TRANSIT_SHIPMENT');
    const ownerAPI = await apiSession(tradehub.baseURL, owner);
    const { shipment } = await ownerAPI('query($id: ID!) { shipment(id: $id) { trackingNumber carrier { code } } }', { id: pledged.id });
    const body = JSON.stringify({
      events: [{ id: `e2e-fin-${Date.now()}`, trackingNumber: shipment.trackingNumber, status: 'DELIVERED', occurredAt: new Date().toISOString(), location: 'San Francisco' }],
    });
    const t = Math.floor(Date.now() / 1000);
    const secret = `demo-${shipment.carrier.code.toLowerCase()}-webhook-secret`;
    const sig = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    const res = await fetch(`${tradehub.baseURL}/webhooks/carriers/${shipment.carrier.code}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'tradehub-carrier-signature': `t=${t},v1=${sig}` },
      body,
    });
    assert.equal(res.status, 200, await res.text());
    const due = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    /** @type {{ id: string, dueDate: string, outstanding: { amount: string } }} */
    let loan = loans[0];
    for (let i = 0; i < 100 && loan.dueDate !== due; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ({ loan } = await partnerAPI('query($id: ID!) { loan(id: $id) { id dueDate outstanding { amount } } }', { id: loans[0].id }));
    }
    assert.equal(loan.dueDate, due, 'the delivery brings the due date forward');

    // The seller's dashboard shows the open loan: what it owes and when the repayment is due.
    await withPage('financing-seller-dashboard', async ({ page }) => {
      await signIn(page, tradehub.baseURL, owner);
      await page.goto(`${tradehub.baseURL}/accounts/${brightlight}`);
      const tile = page.getByTestId('kpi-financing');
      await tile.filter({ hasText: 'open loan' }).waitFor();
      const dueShown = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${due}T00:00:00Z`));
      const text = await tile.innerText();
      assert.match(text, /CN¥[\d,]+\.\d\d/);
      assert.ok(text.includes(`1 open loan; next repayment due ${dueShown}.`), text);
    });
    const paid = await partnerAPI(
      'mutation($l: ID!, $amt: Decimal!) { recordLoanPayment(input: {loanId: $l, amount: {amount: $amt, currencyCode: "CNY"}, reference: "e2e-wire"}) { loan { status } userErrors { code } } }',
      { l: loan.id, amt: loan.outstanding.amount },
    );
    assert.equal(paid.recordLoanPayment.loan.status, 'REPAID');

    await withPage('financing-seller-repaid', async ({ page }) => {
      await signIn(page, tradehub.baseURL, owner);
      await page.goto(`${tradehub.baseURL}/accounts/${brightlight}/financing`);
      const repaid = page.locator('[data-testid="loan"][data-status="REPAID"]');
      await repaid.waitFor();
      await repaid.getByText('Statement').click();
      assert.equal(await repaid.getByTestId('statement-balanced').getAttribute('data-balanced'), 'true');
    });
  });
});
