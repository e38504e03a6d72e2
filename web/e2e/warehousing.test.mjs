// @ts-check
// Warehousing in the portal, clicked through in Chromium against the real binary and its demo
// data (internal/demo): Brightlight's SKUs with stock in SZX1, an expected ASN (ASN-DEMO-002),
// a reserved order (SHOP-1001) and a shipped one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { accessibilityViolations, focusOf, hasFocus, waitForInvalidFocus, withPage } from './browser.mjs';
import { accountIdOf, apiSession, assertClean, settle, signIn, visit } from './session.mjs';
import { startTradehub } from './tradehub.mjs';

/** @typedef {import('playwright-core').Page} Page */

/** @type {import('./tradehub.mjs').Tradehub} */
let tradehub;
/** Brightlight's account, its SKUs by code, the warehouses by code. */
const ids = { brightlight: '', kessler: '', skus: /** @type {Record<string, string>} */ ({}), warehouses: /** @type {Record<string, string>} */ ({}) };
const operator = 'operator@brightlight.test';
/** Unique per run, so that a reused data folder never confuses two runs' objects. */
const run = Date.now().toString(36).toUpperCase();

/** @param {Page} page */
function mainNav(page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/**
 * Waits until a bucket of a SKU's balance in a warehouse shows `want` on its page (the page may
 * first show what urql had cached, then the server's answer), and returns it.
 * @param {Page} page
 * @param {string} bucket  e.g. `available`
 * @param {number | ((n: number) => boolean)} want
 */
async function stockIs(page, bucket, want, warehouse = 'SZX1') {
  const cell = page.locator(`[data-testid="balances"] tr[data-bucket="${bucket}"] td[data-warehouse="${warehouse}"]`);
  const ok = typeof want === 'number' ? (/** @type {number} */ n) => n === want : want;
  const deadline = Date.now() + 10_000;
  let last = NaN;
  while (Date.now() < deadline) {
    if ((await cell.count()) === 1) {
      last = Number((await cell.innerText()).replace(/[^\d-]/g, ''));
      if (ok(last)) {
        return last;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${bucket} in ${warehouse} is ${last}, not ${String(want)}`);
}

/**
 * The SKU's stock as its page shows it.
 * @param {Page} page
 * @param {string} code
 */
async function openSku(page, code) {
  await visit(page, `${tradehub.baseURL}/accounts/${ids.brightlight}/inventory/${ids.skus[code]}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${code}`) }).waitFor();
  const stock = {
    available: await stockIs(page, 'available', () => true),
    onHand: await stockIs(page, 'onHand', () => true),
    reserved: await stockIs(page, 'reserved', () => true),
    damaged: await stockIs(page, 'damaged', () => true),
  };
  await settle(page);
  return stock;
}

/**
 * Fills the order form: SZX1, a reference, express, a US address, one line.
 * @param {Page} page
 * @param {string} reference
 * @param {string} sku  a code
 * @param {number} quantity
 */
async function fillOrder(page, reference, sku, quantity) {
  await visit(page, `${tradehub.baseURL}/accounts/${ids.brightlight}/orders`);
  await settle(page);
  await page.getByRole('link', { name: 'Create an order' }).click();
  const form = page.getByRole('form', { name: 'Fulfilment order' });
  await form.getByLabel('Warehouse').selectOption(ids.warehouses['SZX1'] ?? '');
  await form.getByLabel('Reference (optional)').fill(reference);
  await form.getByRole('radio', { name: /Express/ }).check();
  await form.getByLabel('Recipient').fill('Riley Chen');
  await form.getByLabel('Street and number').fill('500 Howard St');
  await form.getByLabel('City', { exact: true }).fill('San Francisco');
  await form.getByLabel('State or region (optional)').fill('CA');
  await form.getByLabel('Postal code (optional)').fill('94105');
  await form.getByLabel('Country', { exact: true }).fill('US');
  const line = form.getByRole('group', { name: 'Line 1' });
  // The options say how many are available in the chosen warehouse.
  await line.getByLabel('SKU').locator('option', { hasText: /available/ }).first().waitFor({ state: 'attached' });
  await line.getByLabel('SKU').selectOption(ids.skus[sku] ?? '');
  await line.getByLabel('Quantity').fill(String(quantity));
  return form;
}

describe('warehousing in Chromium', { timeout: 600_000 }, () => {
  before(async () => {
    tradehub = await startTradehub();
    const api = await apiSession(tradehub.baseURL, operator);
    const { viewer } = await api('{ viewer { memberships { account { id } } } }');
    ids.brightlight = viewer.memberships[0].account.id;
    const { skus, warehouses } = await api(
      'query($a: ID!) { skus(accountId: $a, first: 100) { nodes { id code } } warehouses(first: 100) { nodes { id code } } }',
      { a: ids.brightlight },
    );
    for (const s of skus.nodes) {
      ids.skus[s.code] = s.id;
    }
    for (const w of warehouses.nodes) {
      ids.warehouses[w.code] = w.id;
    }
    const kessler = await apiSession(tradehub.baseURL, 'owner@kessler-outdoor.test');
    ids.kessler = (await kessler('{ viewer { memberships { account { id } } } }')).viewer.memberships[0].account.id;
  }, { timeout: 300_000 });

  after(async () => {
    await tradehub?.stop();
  });

  test('an operator announces an ASN, receives it (lot, discrepancy), puts it away, and sees the stock rise', async () => {
    await withPage('wh-receive', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, operator);
      assert.equal(accountIdOf(page), ids.brightlight);
      assert.deepEqual(await mainNav(page).getByRole('link').allInnerTexts(), ['Dashboard', 'Inventory', 'Inbound', 'Orders', 'Usage', 'Shipments', 'Sourcing', 'Financing', 'Billing']);
      const lamp = await openSku(page, 'BL-LAMP-01');

      // Announce: from the Inbound page, two lines, one of a SKU that tracks lots.
      await settle(page);
      await mainNav(page).getByRole('link', { name: 'Inbound' }).click();
      await page.getByRole('heading', { level: 1, name: 'Inbound receipts' }).waitFor();
      await settle(page);
      await page.getByRole('link', { name: 'Announce inbound goods' }).click();
      const form = page.getByRole('form', { name: 'Inbound receipt' });
      await form.getByLabel('Warehouse').selectOption(ids.warehouses['SZX1'] ?? '');
      await form.getByLabel('Reference (optional)').fill(`E2E-ASN-${run}`);
      await form.getByRole('group', { name: 'Line 1' }).getByLabel('SKU').selectOption(ids.skus['BL-LAMP-01'] ?? '');
      await form.getByRole('group', { name: 'Line 1' }).getByLabel('Quantity').fill('30');
      await form.getByRole('button', { name: 'Add a line' }).click();
      await form.getByRole('group', { name: 'Line 2' }).getByLabel('SKU').selectOption(ids.skus['BL-BAT-20K'] ?? '');
      await form.getByRole('group', { name: 'Line 2' }).getByLabel('Quantity').fill('10');
      await form.getByRole('button', { name: 'Announce' }).click();

      await page.getByRole('heading', { level: 1, name: `Receipt E2E-ASN-${run}` }).waitFor();
      assert.match(new URL(page.url()).pathname, new RegExp(`^/accounts/${ids.brightlight}/receipts/rcpt_`));
      await page.getByRole('status').filter({ hasText: 'was announced' }).waitFor();

      // Receive: 27 good and 1 damaged of 30 lamps; the power banks need their lot.
      const receive = page.getByRole('form', { name: 'Record what arrived' });
      await receive.getByLabel('Received in good condition: BL-LAMP-01').fill('27');
      await receive.getByLabel('Damaged: BL-LAMP-01').fill('1');
      await receive.getByRole('button', { name: 'Record receipt' }).click();
      const lot = receive.getByLabel('Lot: BL-BAT-20K');
      await waitForInvalidFocus(page);
      assert.ok(await hasFocus(lot), 'focus is not on the missing lot');
      assert.match(await receive.innerText(), /This SKU tracks lots: enter the lot number/);
      await lot.fill(`LOT-${run}`);
      await receive.getByLabel('Expiry: BL-BAT-20K').fill('2027-06-30');
      await receive.getByRole('button', { name: 'Record receipt' }).click();
      await page.getByRole('status').filter({ hasText: 'What arrived was recorded' }).waitFor();
      // Focus follows to the notice, since the form is gone.
      assert.match((await focusOf(page)).text, /What arrived was recorded/);

      // The difference is shown plainly.
      const discrepancy = page.getByTestId('discrepancy');
      await discrepancy.waitFor();
      assert.match(await discrepancy.innerText(), /Arrived with differences[\s\S]*BL-LAMP-01: 2 short, 1 damaged/);
      const lines = page.getByTestId('receipt-lines');
      assert.match(await lines.locator('tr[data-sku="BL-BAT-20K"]').innerText(), new RegExp(`LOT-${run}[\\s\\S]*2027`));

      // Nothing is available before putaway.
      await openSku(page, 'BL-LAMP-01');
      await stockIs(page, 'awaitingPutaway', 27);
      await stockIs(page, 'available', lamp.available);
      await settle(page);
      await page.goBack();

      await page.getByRole('button', { name: 'Put away' }).click();
      await page.getByRole('status').filter({ hasText: 'put away and are now available' }).waitFor();
      await page.locator('h1 [data-status="PUT_AWAY"]').waitFor();

      // The SKU page: available up by the good units, the damaged one quarantined, the history
      // newest first.
      await openSku(page, 'BL-LAMP-01');
      await stockIs(page, 'available', lamp.available + 27);
      await stockIs(page, 'onHand', lamp.onHand + 27);
      await stockIs(page, 'damaged', lamp.damaged + 1);
      await stockIs(page, 'awaitingPutaway', 0);
      const newest = page.getByTestId('movements').locator('tbody tr').first();
      assert.equal(await newest.getAttribute('data-reason'), 'PUTAWAY');
      assert.match(await newest.innerText(), /\+27 available/);

      await assertClean(session, tradehub.baseURL);
    });
  });

  test('an order reserves stock; a lost answer and a double click still make one order; pick, pack, ship', async () => {
    await withPage('wh-order', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, operator);
      const charger = await openSku(page, 'BL-CHG-65W');
      const reference = `E2E-ORD-${run}`;

      /** @type {string[]} */
      const keys = [];
      await page.route('**/graphql', async (route) => {
        const body = route.request().postDataJSON();
        if (body?.operationName !== 'CreateFulfilmentOrder') {
          await route.continue();
          return;
        }
        keys.push(body.variables.input.idempotencyKey);
        if (keys.length === 1) {
          // The server creates the order, and its answer is lost on the way back.
          await route.fetch();
          await route.abort('connectionreset');
          return;
        }
        await route.continue();
      });

      const form = await fillOrder(page, reference, 'BL-CHG-65W', 5);
      await form.getByRole('button', { name: 'Create order' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'cannot be reached' });
      await alert.waitFor();
      await page.getByText('Sending again is safe').waitFor();
      // The expected failure of the lost answer, and nothing else.
      const lost = session.errors.splice(0);
      assert.ok(lost.length > 0 && lost.every((e) => /graphql|ERR_CONNECTION_RESET|Failed to load/.test(e)), lost.join('\n'));

      // Sent again, impatiently: the same key, so the server answers with the first order.
      await form.getByRole('button', { name: 'Create order' }).dblclick();
      await page.getByRole('heading', { level: 1, name: `Order ${reference}` }).waitFor();
      await page.unroute('**/graphql');
      assert.ok(keys.length >= 2, `${keys.length} requests`);
      assert.equal(new Set(keys).size, 1, `keys differ: ${keys.join(' ')}`);
      assert.match(keys[0] ?? '', /^portal-[0-9a-f]{32}$/);
      const api = await apiSession(tradehub.baseURL, operator);
      const { fulfilmentOrders } = await api('query($a: ID!) { fulfilmentOrders(accountId: $a, first: 100) { nodes { reference } } }', {
        a: ids.brightlight,
      });
      assert.equal(fulfilmentOrders.nodes.filter((/** @type {any} */ o) => o.reference === reference).length, 1);

      await page.getByRole('status').filter({ hasText: `Order ${reference} was created.` }).waitFor();
      assert.equal(await page.locator('h1 [data-status]').getAttribute('data-status'), 'RESERVED');
      const orderURL = page.url();

      // Reserved: available drops, reserved rises.
      await openSku(page, 'BL-CHG-65W');
      await stockIs(page, 'available', charger.available - 5);
      await stockIs(page, 'reserved', charger.reserved + 5);

      // Pick, pack, ship.
      await visit(page, orderURL);
      await page.getByRole('button', { name: 'Mark picked' }).click();
      await page.getByRole('status').filter({ hasText: 'marked picked' }).waitFor();
      await page.locator('h1 [data-status="PICKED"]').waitFor();

      await page.getByRole('button', { name: 'Pack…' }).click();
      const pack = page.getByRole('dialog', { name: 'Pack the order' });
      await pack.waitFor();
      assert.ok(await hasFocus(pack.getByLabel('Weight of package 1 (g)')), 'focus is not on the first field');
      await pack.getByRole('button', { name: 'Mark packed' }).click();
      await waitForInvalidFocus(page);
      await pack.getByLabel('Weight of package 1 (g)').fill('900');
      await pack.getByLabel('Length of package 1 (mm)').fill('250');
      await pack.getByLabel('Width of package 1 (mm)').fill('180');
      await pack.getByLabel('Height of package 1 (mm)').fill('90');
      await pack.getByRole('button', { name: 'Mark packed' }).click();
      await pack.waitFor({ state: 'detached' });
      await page.locator('h1 [data-status="PACKED"]').waitFor();
      await page.getByText('900 g, 250 × 180 × 90 mm').waitFor();

      await page.getByRole('button', { name: 'Ship…' }).click();
      const ship = page.getByRole('dialog', { name: 'Ship the order' });
      await ship.getByLabel('Carrier').fill('DHL Express');
      await ship.getByLabel('Tracking number').fill(`JD${run}`);
      await ship.getByRole('button', { name: 'Mark shipped' }).click();
      await ship.waitFor({ state: 'detached' });
      await page.locator('h1 [data-status="SHIPPED"]').waitFor();
      await page.getByRole('status').filter({ hasText: 'marked shipped' }).waitFor();
      assert.match(await page.locator('.details').innerText(), new RegExp(`DHL Express[\\s\\S]*JD${run}`));
      const current = page.getByRole('list', { name: 'Order progress' }).locator('[aria-current="step"]');
      assert.match(await current.innerText(), /Shipped/);
      // Shipped: only delivery is left to do.
      assert.equal(await page.getByRole('button', { name: 'Cancel order' }).count(), 0);
      await page.getByRole('button', { name: 'Mark delivered' }).waitFor();

      // The units left the warehouse: on hand down, nothing reserved for the order any more.
      await openSku(page, 'BL-CHG-65W');
      await stockIs(page, 'onHand', charger.onHand - 5);
      await stockIs(page, 'reserved', charger.reserved);
      await stockIs(page, 'available', charger.available - 5);

      await assertClean(session, tradehub.baseURL);
    });
  });

  test('a cancelled order gives its stock back', async () => {
    await withPage('wh-cancel', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, operator);
      const lamp = await openSku(page, 'BL-LAMP-01');
      const reference = `E2E-CXL-${run}`;
      const form = await fillOrder(page, reference, 'BL-LAMP-01', 3);
      await form.getByRole('button', { name: 'Create order' }).click();
      await page.getByRole('heading', { level: 1, name: `Order ${reference}` }).waitFor();
      const orderURL = page.url();

      await openSku(page, 'BL-LAMP-01');
      await stockIs(page, 'available', lamp.available - 3);

      await visit(page, orderURL);
      await page.getByRole('button', { name: 'Cancel order' }).click();
      const dialog = page.getByRole('dialog', { name: `Cancel order ${reference}?` });
      await dialog.waitFor();
      // Focus starts on the harmless choice.
      assert.equal((await focusOf(page)).text, 'Keep it');
      assert.match(await dialog.innerText(), /goes back to available/);
      await dialog.getByRole('button', { name: 'Cancel order' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('status').filter({ hasText: 'its stock is available again' }).waitFor();
      await page.locator('h1 [data-status="CANCELLED"]').waitFor();

      await openSku(page, 'BL-LAMP-01');
      await stockIs(page, 'available', lamp.available);
      await stockIs(page, 'reserved', lamp.reserved);
      const newest = page.getByTestId('movements').locator('tbody tr').first();
      assert.equal(await newest.getAttribute('data-reason'), 'RELEASE');

      // The orders list, filtered by status in the URL.
      await visit(page, `${tradehub.baseURL}/accounts/${ids.brightlight}/orders`);
      await settle(page);
      await page.getByLabel('Show').selectOption('CANCELLED');
      await page.waitForURL((url) => url.search === '?status=CANCELLED');
      await page.getByRole('row').filter({ hasText: reference }).waitFor();
      assert.equal(await page.getByRole('row').filter({ hasText: 'SHOP-1001' }).count(), 0);
      await settle(page);
      await page.reload();
      await page.getByRole('row').filter({ hasText: reference }).waitFor();
      assert.equal(await page.getByLabel('Show').inputValue(), 'CANCELLED');

      await assertClean(session, tradehub.baseURL);
    });
  });

  test('the day’s storage and handling usage', async () => {
    await withPage('wh-usage', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, operator);
      await settle(page);
      await mainNav(page).getByRole('link', { name: 'Usage' }).click();
      const today = page.getByTestId('usage-today');
      await today.locator('tr[data-code="receiving.unit"]').waitFor();
      // The demo received 800 units today, the first test 38 more; orders were picked and packed.
      const receiving = Number((await today.locator('tr[data-code="receiving.unit"] td').first().innerText()).replace(/,/g, ''));
      assert.ok(receiving >= 838, `received today: ${receiving}`);
      await today.locator('tr[data-code="pickpack.order"]').waitFor();
      await today.locator('tr[data-code="storage.cubic_metre_day"]').waitFor();
      assert.match(await today.innerText(), /Receiving[\s\S]*units/);

      await settle(page);
      await page.getByRole('navigation', { name: 'Show records of' }).getByRole('link', { name: 'Today' }).click();
      await page.waitForURL((url) => url.search === '?period=today');
      const records = page.getByRole('table', { name: /Usage records: Today/ });
      await records.waitFor();
      // Records name what they were for by code, with links.
      await records.getByRole('link', { name: `E2E-ASN-${run}` }).first().waitFor();

      await assertClean(session, tradehub.baseURL);
    });
  });

  test('inventory search and filters live in the URL', async () => {
    await withPage('wh-inventory-filters', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, operator);
      await settle(page);
      await mainNav(page).getByRole('link', { name: 'Inventory' }).click();
      await page.getByRole('heading', { level: 1, name: 'Inventory' }).waitFor();
      assert.match(await page.getByTestId('valuation').innerText(), /CN¥/);
      const table = page.getByRole('table', { name: 'Inventory balances' });
      await table.locator('tr[data-sku="BL-LAMP-01"]').waitFor();

      const filters = page.getByRole('search', { name: 'Filter the inventory' });
      await settle(page);
      await filters.getByLabel('Search SKUs').fill('charger');
      await filters.getByLabel('Search SKUs').press('Enter');
      await page.waitForURL((url) => url.search === '?q=charger');
      await table.locator('tr[data-sku="BL-CHG-65W"]').waitFor();
      await table.locator('tr[data-sku="BL-LAMP-01"]').waitFor({ state: 'detached' });
      await settle(page);

      await filters.getByLabel('Warehouse').selectOption(ids.warehouses['LAX1'] ?? '');
      await page.waitForURL((url) => url.searchParams.get('warehouse') === ids.warehouses['LAX1'] && url.searchParams.get('q') === 'charger');
      await page.getByText('No stock matches these filters.').waitFor();
      await settle(page);
      await filters.getByLabel('Search SKUs').fill('no such thing');
      await filters.getByRole('button', { name: 'Search' }).click();
      await page.getByText('No SKU code or name contains “no such thing”').waitFor();

      // A shared link opens the same view.
      const shared = `${tradehub.baseURL}/accounts/${ids.brightlight}/inventory?low=1`;
      await visit(page, shared);
      assert.equal(await page.getByLabel('Low stock only').isChecked(), true);
      await page.getByText('No stock matches these filters.').waitFor();
      await settle(page);
      await page.getByRole('link', { name: 'Clear filters' }).first().click();
      await page.waitForURL((url) => url.search === '');
      await table.locator('tr[data-sku="BL-LAMP-01"]').waitFor();

      await assertClean(session, tradehub.baseURL);
    });
  });

  test('a SKU is added with its errors at their fields, and edited', async () => {
    await withPage('wh-sku-form', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, operator);
      await visit(page, `${tradehub.baseURL}/accounts/${ids.brightlight}/inventory`);
      await settle(page);
      await page.getByRole('link', { name: 'Add a SKU' }).click();
      const form = page.getByRole('form', { name: 'SKU details' });
      const code = `E2E-${run}`;
      await form.getByLabel('Code', { exact: true }).fill(code);
      await form.getByLabel('Name', { exact: true }).fill('E2E travel adapter');
      await form.getByLabel('HS code (optional)').fill('12');
      await form.getByLabel('Amount').fill('19.90');
      await form.getByLabel('Reorder point in SZX1').fill('5');
      await form.getByLabel('Reorder quantity in SZX1').fill('50');
      await form.getByRole('button', { name: 'Add SKU' }).click();

      // The server's refusal, at the HS code, with focus there.
      const hs = form.getByLabel('HS code (optional)');
      await waitForInvalidFocus(page);
      assert.ok(await hasFocus(hs), 'focus is not on the HS code');
      const describedBy = (await hs.getAttribute('aria-describedby')) ?? '';
      assert.match(await page.locator(`[id="${describedBy.split(' ').at(-1)}"]`).innerText(), /6, 8 or 10 digits/);

      await hs.fill('8536.69');
      await form.getByRole('button', { name: 'Add SKU' }).click();
      await page.getByRole('heading', { level: 1, name: new RegExp(`^${code}`) }).waitFor();
      await page.getByRole('status').filter({ hasText: `SKU ${code} was added.` }).waitFor();
      assert.match(await page.locator('.details').innerText(), /CN¥19\.90[\s\S]*SZX1: below 5, reorder 50/);
      assert.match(await page.getByText('No stock in any warehouse yet').innerText(), /Announce inbound goods/);

      await settle(page);
      await page.getByRole('link', { name: 'Edit SKU' }).click();
      const edit = page.getByRole('form', { name: 'SKU details' });
      assert.equal(await edit.getByLabel('Name', { exact: true }).inputValue(), 'E2E travel adapter');
      await edit.getByLabel('Name', { exact: true }).fill('E2E travel adapter, EU plug');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('status').filter({ hasText: `The changes to ${code} were saved.` }).waitFor();
      await page.getByText('E2E travel adapter, EU plug').first().waitFor();
      // Saving kept what was not on screen to change: the reorder point.
      assert.match(await page.locator('.details').innerText(), /SZX1: below 5, reorder 50/);

      // A search finds it, though it has no stock.
      await visit(page, `${tradehub.baseURL}/accounts/${ids.brightlight}/inventory?q=${code}`);
      await page.getByRole('row').filter({ hasText: code }).filter({ hasText: 'No stock yet' }).waitFor();

      await assertClean(session, tradehub.baseURL);
    });
  });

  test('a viewer reads everything and is offered no action', async () => {
    await withPage('wh-viewer', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, 'viewer@brightlight.test');
      assert.deepEqual(await mainNav(page).getByRole('link').allInnerTexts(), ['Dashboard', 'Inventory', 'Inbound', 'Orders', 'Usage', 'Shipments', 'Sourcing', 'Financing', 'Billing']);
      const base = `${tradehub.baseURL}/accounts/${ids.brightlight}`;

      await settle(page);
      await mainNav(page).getByRole('link', { name: 'Inventory' }).click();
      await page.getByRole('table', { name: 'Inventory balances' }).locator('tr[data-sku="BL-LAMP-01"]').waitFor();
      assert.equal(await page.getByRole('link', { name: 'Add a SKU' }).count(), 0);
      assert.equal(await page.getByRole('link', { name: 'Announce inbound goods' }).count(), 0);

      await visit(page, `${base}/inventory/${ids.skus['BL-LAMP-01']}`);
      await page.getByTestId('balances').waitFor();
      assert.equal(await page.getByRole('link', { name: 'Edit SKU' }).count(), 0);

      await visit(page, `${base}/receipts`);
      await settle(page);
      await page.getByRole('link', { name: 'ASN-DEMO-002' }).click();
      await page.getByTestId('receipt-lines').waitFor();
      assert.equal(await page.getByRole('form', { name: 'Record what arrived' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Cancel receipt' }).count(), 0);

      await visit(page, `${base}/orders`);
      assert.equal(await page.getByRole('link', { name: 'Create an order' }).count(), 0);
      await settle(page);
      await page.getByRole('link', { name: 'SHOP-1001' }).click();
      await page.getByTestId('order-lines').waitFor();
      assert.equal(await page.getByRole('heading', { name: 'Actions' }).count(), 0);
      assert.equal(await page.getByRole('button').filter({ hasText: /Mark|Pack|Ship|Cancel/ }).count(), 0);

      // A form's URL says the role cannot change things rather than offering a form to refuse.
      await visit(page, `${base}/orders/new`);
      await page.getByText('Your role can see this but not change it').waitFor();
      assert.equal(await page.getByRole('form').count(), 0);

      await assertClean(session, tradehub.baseURL);
    });
  });

  test('another account’s SKU is not there for Kessler’s owner', async () => {
    await withPage('wh-other-account', async (session) => {
      const { page } = session;
      await signIn(page, tradehub.baseURL, 'owner@kessler-outdoor.test');
      const lamp = ids.skus['BL-LAMP-01'] ?? '';
      // Brightlight's SKU URL, as it would be shared.
      await visit(page, `${tradehub.baseURL}/accounts/${ids.brightlight}/inventory/${lamp}`);
      await page.getByRole('heading', { name: "You don't have access" }).waitFor();
      // The same SKU under Kessler's own account.
      await visit(page, `${tradehub.baseURL}/accounts/${ids.kessler}/inventory/${lamp}`);
      await page.getByRole('heading', { name: "You don't have access" }).waitFor();
      assert.match(await page.locator('main').innerText(), /This SKU is not available to you/);
      assert.ok(!(await page.content()).includes('BL-LAMP-01'), 'Brightlight data in the page');
      // Kessler's own inventory is there.
      await visit(page, `${tradehub.baseURL}/accounts/${ids.kessler}/inventory`);
      await page.getByRole('table', { name: 'Inventory balances' }).locator('tr[data-sku="KO-TENT-2P"]').waitFor();
      await assertClean(session, tradehub.baseURL);
    });
  });

  test('the warehousing pages pass axe-core’s WCAG 2.1 AA checks', async () => {
    await withPage('wh-accessibility', async (session) => {
      const { page } = session;
      /** @type {Record<string, string[]>} */
      const found = {};
      const check = async (/** @type {string} */ name) => {
        await page.waitForLoadState('networkidle');
        const violations = await accessibilityViolations(page);
        if (violations.length > 0) {
          found[name] = violations;
        }
      };
      await signIn(page, tradehub.baseURL, operator);
      const base = `${tradehub.baseURL}/accounts/${ids.brightlight}`;

      await visit(page, `${base}/inventory?q=BL`);
      await page.getByRole('table', { name: 'Inventory balances' }).waitFor();
      await check('inventory');
      await visit(page, `${base}/inventory/${ids.skus['BL-LAMP-01']}`);
      await page.getByTestId('movements').waitFor();
      await check('sku');
      await visit(page, `${base}/inventory/new`);
      await page.getByRole('button', { name: 'Add SKU' }).click();
      await waitForInvalidFocus(page);
      await check('new sku with errors');
      await visit(page, `${base}/receipts`);
      await page.getByRole('link', { name: 'ASN-DEMO-002' }).waitFor();
      await check('receipts');
      await visit(page, `${base}/receipts/new`);
      await page.getByRole('button', { name: 'Announce' }).click();
      await waitForInvalidFocus(page);
      await check('new receipt with errors');
      await visit(page, `${base}/receipts`);
      await settle(page);
      await page.getByRole('link', { name: 'ASN-DEMO-002' }).click();
      await page.getByRole('form', { name: 'Record what arrived' }).waitFor();
      await check('receipt to receive');
      await visit(page, `${base}/orders`);
      await page.getByRole('link', { name: 'SHOP-1001' }).waitFor();
      await check('orders');
      await visit(page, `${base}/orders/new`);
      await page.getByRole('button', { name: 'Create order' }).click();
      await waitForInvalidFocus(page);
      await check('new order with errors');
      await visit(page, `${base}/orders`);
      await settle(page);
      await page.getByRole('link', { name: 'SHOP-1001' }).click();
      await page.getByRole('button', { name: 'Cancel order' }).click();
      await page.getByRole('dialog').waitFor();
      await check('order with the cancel dialog');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      assert.equal((await focusOf(page)).text, 'Cancel order');
      await visit(page, `${base}/usage`);
      await page.getByTestId('usage-today').waitFor();
      await check('usage');

      assert.deepEqual(found, {});
      await assertClean(session, tradehub.baseURL);
    });
  });
});
