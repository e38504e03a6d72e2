// @ts-check
// Debian's Chromium driven by playwright-core, one fresh profile per test, recording what a
// page loads and what it complains about.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** @typedef {import('playwright-core').Page} Page */

const resultsDir = fileURLToPath(new URL('../test-results', import.meta.url));

// The flags keep Chromium from calling Google's services (sync, component updates, field
// trials…); on a closed network those calls fail and fill the log, and a test about "nothing
// external" must not start with the browser's own traffic.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * @typedef {object} Session
 * @property {Page} page
 * @property {string[]} requests  every URL the page or its workers asked for
 * @property {string[]} errors    console errors, uncaught exceptions and failed requests
 */

/**
 * Runs fn with a new page in a browser with an empty profile, then closes it. If fn throws, a
 * screenshot goes to web/test-results/<name>.png first.
 * @param {string} name
 * @param {(s: Session) => Promise<void>} fn
 */
export async function withPage(name, fn) {
  const userDataDir = await mkdtemp(join(tmpdir(), 'tradehub-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium',
    args: chromiumArgs,
    viewport: { width: 1280, height: 800 },
  });
  /** @type {Session} */
  const session = { page: context.pages()[0] ?? (await context.newPage()), requests: [], errors: [] };
  const { page } = session;
  // Context-wide, so that requests from Monaco's workers count too.
  context.on('request', (req) => session.requests.push(req.url()));
  context.on('requestfailed', (req) => {
    // The operation's name says which GraphQL request it was, when it was one.
    const op = /"operationName":"(\w+)"/.exec(req.postData() ?? '')?.[1];
    session.errors.push(`request failed: ${req.url()}${op ? ` ${op}` : ''} (${req.failure()?.errorText ?? 'unknown'})`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      session.errors.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => session.errors.push(`uncaught: ${err.message}`));

  try {
    await fn(session);
  } catch (err) {
    await mkdir(resultsDir, { recursive: true });
    const file = join(resultsDir, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    // A crashed page may refuse the screenshot; the test's own error is the one to report.
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    throw err;
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}

/**
 * The URLs that are neither on origin nor inline (data:, blob:).
 * @param {string[]} urls
 * @param {string} origin
 */
export function foreign(urls, origin) {
  return urls.filter((u) => {
    const url = new URL(u);
    return url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:';
  });
}

/**
 * Waits until the text of locator, with Monaco's no-break spaces made plain, satisfies want.
 * Monaco paints on animation frames, so a single read can see the text before the last key.
 * @param {import('playwright-core').Locator} locator
 * @param {(text: string) => boolean} want
 * @param {string} what  described in the error
 */
export async function waitForText(locator, want, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.innerText()).replace(/\u00a0/g, ' ').trim();
    if (want(text)) {
      return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; last text: ${JSON.stringify(text)}`);
}

/**
 * @typedef {object} Focus
 * @property {string} tag      the focused element's tag name, lower case
 * @property {string} text     its text
 * @property {string | null} label    its aria-label
 * @property {string | null} invalid  its aria-invalid
 * @property {string | null} role
 * @property {boolean} inDialog  whether it is inside a <dialog>
 * @property {string} around   the text of the form field or alert around it
 */

/**
 * What has keyboard focus in the page.
 * @param {Page} page
 * @returns {Promise<Focus>}
 */
export function focusOf(page) {
  return page.evaluate(() => {
    // The e2e tests are checked without the DOM library: the page's globals are untyped here.
    /** @type {any} */
    const el = /** @type {any} */ (globalThis).document.activeElement;
    return {
      tag: String(el?.tagName ?? '').toLowerCase(),
      text: String(el?.textContent ?? ''),
      label: el?.getAttribute('aria-label') ?? null,
      invalid: el?.getAttribute('aria-invalid') ?? null,
      role: el?.getAttribute('role') ?? null,
      inDialog: Boolean(el?.closest('dialog')),
      around: String(el?.closest('.field, [role="alert"]')?.textContent ?? ''),
    };
  });
}

/**
 * Whether the element of locator has keyboard focus.
 * @param {import('playwright-core').Locator} locator
 */
export function hasFocus(locator) {
  return locator.evaluate((/** @type {any} */ el) => el === el.ownerDocument.activeElement);
}

/**
 * Waits until focus is on an element marked aria-invalid (after a refused submit).
 * @param {Page} page
 */
export function waitForInvalidFocus(page) {
  // A function, not a string: Playwright evaluates a string predicate with eval, which the
  // portal's Content-Security-Policy refuses.
  return page.waitForFunction(
    () => /** @type {any} */ (globalThis).document.activeElement?.getAttribute('aria-invalid') === 'true',
  );
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page and returns its violations as
 * "rule: target" lines. The script goes in through the DevTools protocol, which the page's
 * Content-Security-Policy does not govern, so the page stays as strict as it is for a person.
 * @param {Page} page
 * @returns {Promise<string[]>}
 */
export async function accessibilityViolations(page) {
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  /** @type {{ id: string, nodes: { target: unknown[] }[] }[]} */
  const violations = await page.evaluate(async () => {
    /** @type {any} */
    const axe = /** @type {any} */ (globalThis).axe;
    const result = await axe.run(/** @type {any} */ (globalThis).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((/** @type {any} */ v) => ({
      id: v.id,
      nodes: v.nodes.map((/** @type {any} */ n) => ({ target: n.target })),
    }));
  });
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${JSON.stringify(n.target)}`));
}
