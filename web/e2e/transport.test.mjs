// @ts-check
// Transport in Chromium against the real binary and its demo data: an operator quotes and books a
// CN→US parcel, the carrier's signed webhook feeds tracking events and the shipment page shows
// them without a reload; a viewer reads shipments but cannot book.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { accessibilityViolations, waitForInvalidFocus, withPage } from './browser.mjs';
import { apiSession, assertClean, settle, signIn, visit } from './session.mjs';
import { startTradehub } from './tradehub.mjs';

/** @typedef {import('playwright-core').Page} Page */

/** @type {import('./tradehub.mjs').Tradehub} */
let tradehub;
const operator = 'operator@brightlight.test';
const viewer = 'viewer@brightlight.test';
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
 * Posts tracking events to a carrier's webhook, signed as README's "Carrier webhooks" says, with
 * the demo carrier's secret (services/transport/seed.go, DemoWebhookSecret).
 * @param {string} carrierCode
 * @param {object[]} events
 */
async function carrierWebhook(carrierCode, events) {
  const body = JSON.stringify({ events });
  const t = Math.floor(Date.now() / 1000);
  const secret = `demo-${carrierCode.toLowerCase()}-webhook-secret`;
  const sig = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  const res = await fetch(`${tradehub.baseURL}/webhooks/carriers/${carrierCode}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'tradehub-carrier-signature': `t=${t},v1=${sig}` },
    body,
  });
  assert.equal(res.status, 200, await res.text());
}

describe('transport in Chromium', { timeout: 600_000 }, () => {
  before(async () => {
    tradehub = await startTradehub();
    const api = await apiSession(tradehub.baseURL, operator);
    const { viewer: me } = await api('{ viewer { memberships { account { id } } } }');
    brightlight = me.memberships[0].account.id;
  });

  after(async () => {
    await tradehub?.stop();
  });

  test('an operator quotes a CN→US parcel, sees ranked quotes with reasons, books the first, and watches it move', async () => {
    await withPage('transport-operator', async (session) => {
      const { page } = session;
      // The shipment page subscribes to shipmentUpdated over WebSocket at the same origin.
      /** @type {string[]} */
      const sockets = [];
      /** @type {Promise<void>} */
      const subscribed = new Promise((resolve) => {
        page.on('websocket', (ws) => {
          sockets.push(ws.url());
          ws.on('framesent', (frame) => {
            if (String(frame.payload).includes('"subscribe"') && String(frame.payload).includes('shipmentUpdated')) {
              resolve();
            }
          });
        });
      });
      await signIn(page, tradehub.baseURL, operator);
      await mainNav(page).getByRole('link', { name: 'Shipments' }).click();
      await page.getByRole('heading', { level: 1, name: 'Shipments' }).waitFor();
      // The demo seeds one Brightlight shipment in transit (for financing): the list is not empty.
      await page.getByRole('table', { name: 'Shipments' }).waitFor();
      await assertAccessible(page);
      await page.getByRole('link', { name: 'Quote and book a shipment' }).click();
      await page.getByRole('heading', { level: 1, name: 'Ship a parcel' }).waitFor();

      const form = page.getByRole('form', { name: 'Quote a shipment' });
      const warehouse = form.getByLabel('Origin warehouse');
      await warehouse.locator('option', { hasText: 'SZX1' }).waitFor({ state: 'attached' });
      const szx1 = await warehouse.locator('option', { hasText: 'SZX1' }).getAttribute('value');
      assert.ok(szx1);
      await warehouse.selectOption(szx1);
      await form.getByLabel('Recipient name').fill('Ada Buyer');
      await form.getByLabel('Street and number').fill('1 Main St');
      await form.getByLabel('City').fill('Austin');
      await form.getByLabel('State or region (optional)').fill('TX');
      await form.getByLabel('Postal code').fill('73301');
      await form.getByLabel('Country (2-letter code)').fill('US');
      await form.getByLabel('Weight (kg)').fill('2');
      await form.getByLabel('Length (cm)').fill('30');
      await form.getByLabel('Width (cm)').fill('20');
      await form.getByLabel('Height (cm)').fill('10');
      await form.getByLabel('Description').fill('LED desk lamp');
      await form.getByLabel('HS code').fill('94x');
      await form.getByLabel('Value of one unit').fill('20.00');
      await assertAccessible(page);

      // A malformed HS code is refused at its field, in the catalogue's words, and gets focus.
      await form.getByRole('button', { name: 'Get quotes' }).click();
      const hs = form.getByLabel('HS code');
      await waitForInvalidFocus(page);
      assert.equal(await hs.getAttribute('aria-invalid'), 'true');
      await hs.fill('9405.21');
      await form.getByRole('button', { name: 'Get quotes' }).click();

      const results = page.getByRole('list', { name: 'Quotes' });
      await results.waitFor();
      await page.getByText('Ranked by best value').waitFor();
      const quotes = results.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3 }) });
      assert.ok((await quotes.count()) >= 2, 'several quotes');
      const first = quotes.first();
      assert.match(await first.getByRole('heading', { level: 3 }).innerText(), /^#1 /);
      assert.match(await first.getByTestId('reason').innerText(), /reliability/);
      assert.match(await first.innerText(), /Track record: (\d+% on time|No track record)/);
      assert.match(await first.innerText(), /Expires in \d+:\d\d/);
      await assertAccessible(page);

      await first.getByRole('button', { name: /^Book / }).click();
      await page.waitForURL(/\/shipments\/shp_/);
      const trackingNumber = await page.getByRole('heading', { level: 1 }).innerText();
      assert.equal(await page.getByTestId('shipment-status').innerText(), 'Booked');
      const api = await apiSession(tradehub.baseURL, operator);
      const shipmentId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
      const { shipment } = await api('query($id: ID!) { shipment(id: $id) { trackingNumber carrier { code } } }', { id: shipmentId });
      assert.equal(shipment.trackingNumber, trackingNumber);
      await assertAccessible(page);

      // The label downloads from the same origin as a PDF.
      const href = await page.getByRole('link', { name: 'Download Shipping label' }).getAttribute('href');
      assert.ok(href);
      const label = await page.request.get(new URL(href, tradehub.baseURL).toString());
      assert.equal(label.status(), 200);
      assert.match(label.headers()['content-type'] ?? '', /^application\/pdf/);

      // The carrier reports a pickup: the page shows it by itself, pushed over the socket.
      await subscribed;
      await new Promise((resolve) => setTimeout(resolve, 300));
      let reads = 0;
      page.on('request', (req) => {
        if ((req.postData() ?? '').includes('query Shipment(')) {
          reads++;
        }
      });
      assert.deepEqual(
        sockets.map((u) => new URL(u).host),
        sockets.map(() => new URL(tradehub.baseURL).host),
      );
      const now = Date.now();
      await carrierWebhook(shipment.carrier.code, [
        {
          id: `e2e-${now}-1`,
          trackingNumber: shipment.trackingNumber,
          status: 'PICKED_UP',
          occurredAt: new Date(now - 60_000).toISOString(),
          location: 'Shenzhen',
        },
      ]);
      await page.getByTestId('timeline').getByText('Picked up').waitFor({ timeout: 15_000 });
      assert.equal(await page.getByTestId('shipment-status').innerText(), 'Picked up');
      await carrierWebhook(shipment.carrier.code, [
        {
          id: `e2e-${now}-2`,
          trackingNumber: shipment.trackingNumber,
          status: 'IN_TRANSIT',
          occurredAt: new Date(now - 30_000).toISOString(),
          location: 'Hong Kong',
        },
      ]);
      await page.getByTestId('timeline').getByText('In transit').waitFor({ timeout: 15_000 });
      assert.equal(reads, 0, 'the updates came over the socket, not by reading the shipment again');

      // A complaint, filed from the page.
      await page.getByLabel('What went wrong').selectOption('DAMAGED');
      await page.getByRole('button', { name: 'File the complaint' }).click();
      await page.getByTestId('complaints').getByText('It arrived damaged').waitFor();
      await assertAccessible(page);
      await assertClean(session, tradehub.baseURL);
    });
  });

  test('a viewer reads shipments but is offered no booking', async () => {
    await withPage('transport-viewer', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, viewer);
      await mainNav(page).getByRole('link', { name: 'Shipments' }).click();
      await page.getByRole('heading', { level: 1, name: 'Shipments' }).waitFor();
      await page.getByRole('table', { name: 'Shipments' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Quote and book a shipment' }).count(), 0);
      await page.getByRole('row').nth(1).getByRole('link').click();
      await page.getByRole('heading', { level: 2, name: 'Tracking timeline' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'File the complaint' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /Book/ }).count(), 0);
      await assertAccessible(page);
      // Scorecards: the chart and the table, from the seeded history and this run's events.
      await mainNav(page).getByRole('link', { name: 'Shipments' }).click();
      await page.getByRole('link', { name: 'Carrier scorecards' }).click();
      await page.getByRole('heading', { level: 1, name: 'Carrier scorecards' }).waitFor();
      await page.getByRole('img', { name: 'On-time rate by carrier' }).waitFor();
      assert.ok((await page.getByRole('table', { name: 'Scorecards by carrier, lane and month' }).getByRole('row').count()) > 1);
      await assertAccessible(page);
      await visit(page, `${tradehub.baseURL}/accounts/${brightlight}/shipments?status=DELIVERED`);
      await page.getByText('No shipments with this status.').waitFor();
      await assertClean(session, tradehub.baseURL);
    });
  });
});
