// @ts-check
// The performance budget that can be checked exactly: the portal's initial JavaScript, gzipped,
// stays within 250 KB. (Timings vary with the machine; e2e/perf.mjs measures and prints them
// for docs/PORTAL.md, and nothing asserts on them.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleSizes, initialBudgetBytes } from './bundle.mjs';

test('initial JavaScript is at most 250 KB gzipped, and pages load as their own chunks', async () => {
  const { initial, chunks } = await bundleSizes();
  const total = initial.reduce((n, f) => n + f.gzip, 0);
  for (const f of initial) {
    console.log(`initial ${f.file}: ${(f.raw / 1024).toFixed(1)} KB, ${(f.gzip / 1024).toFixed(1)} KB gzipped`);
  }
  console.log(`initial total: ${(total / 1024).toFixed(1)} KB gzipped (budget ${initialBudgetBytes / 1024} KB)`);
  assert.ok(total <= initialBudgetBytes, `initial JavaScript is ${total} bytes gzipped, over the ${initialBudgetBytes} budget`);
  // Code-splitting per area: the pages are not in the first load.
  for (const page of ['AccountOverviewPage', 'ConsolePage', 'InventoryPage', 'ShipmentsPage', 'PartnerPage']) {
    assert.ok(chunks.some((c) => c.file.startsWith(`assets/${page}-`)), `${page} is not its own chunk`);
    assert.ok(!initial.some((c) => c.file.startsWith(`assets/${page}-`)), `${page} is in the initial load`);
  }
  // GraphiQL (Monaco) is the explorer's, never the portal's.
  assert.ok(!initial.some((c) => /graphiql|editor/.test(c.file)), 'the explorer is in the portal’s initial load');
});
