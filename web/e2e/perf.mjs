// @ts-check
// Measures the portal on this machine and prints the numbers docs/PORTAL.md reports: the
// initial JavaScript (gzipped) and how long the seller dashboard takes to show its figures on a
// full page load, with the demo data. A measurement, not a test: timings vary from machine to
// machine, so nothing here passes or fails on them (e2e/bundle.test.mjs checks the size budget).
//
//   make build && cd web && TRADEHUB_BIN=../bin/tradehub node e2e/perf.mjs [runs]
import { withPage } from './browser.mjs';
import { bundleSizes } from './bundle.mjs';
import { signIn } from './session.mjs';
import { startTradehub } from './tradehub.mjs';

const runs = Number(process.argv[2] ?? 7);

const { initial } = await bundleSizes();
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`initial JavaScript: ${kb(initial.reduce((n, f) => n + f.gzip, 0))} gzipped (${kb(initial.reduce((n, f) => n + f.raw, 0))} raw) in ${initial.length} files`);

const tradehub = await startTradehub();
try {
  await withPage('perf', async ({ page }) => {
    await signIn(page, tradehub.baseURL, 'owner@brightlight.test');
    const url = page.url();
    /** @type {{ dcl: number, shown: number, js: number }[]} */
    const samples = [];
    // The first measured load starts with an empty HTTP cache (signing in filled it).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    for (let i = 0; i < runs + 1; i++) {
      await page.goto(url);
      await page.locator('.dashboard[data-shown-ms]').waitFor();
      await page.getByTestId('kpi-inventory-value').waitFor();
      const sample = await page.evaluate(() => {
        const g = /** @type {any} */ (globalThis);
        const nav = g.performance.getEntriesByType('navigation')[0];
        const js = g.performance
          .getEntriesByType('resource')
          .filter((/** @type {any} */ r) => r.name.endsWith('.js'))
          .reduce((/** @type {number} */ n, /** @type {any} */ r) => n + r.transferSize, 0);
        return {
          dcl: Math.round(nav.domContentLoadedEventEnd),
          shown: Number(g.document.querySelector('.dashboard').dataset.shownMs),
          js,
        };
      });
      // The first load fills the browser's cache; the runs after it are what a returning user sees.
      if (i > 0) {
        samples.push(sample);
      } else {
        console.log(`first (cold cache) load: DOMContentLoaded ${sample.dcl} ms, figures shown ${sample.shown} ms, ${kb(sample.js)} JS transferred`);
      }
    }
    const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const shown = samples.map((s) => s.shown);
    console.log(`warm loads (${samples.length}): DOMContentLoaded median ${median(samples.map((s) => s.dcl))} ms; dashboard figures shown median ${median(shown)} ms, max ${Math.max(...shown)} ms (from navigation start)`);
  });
} finally {
  await tradehub.stop();
}
