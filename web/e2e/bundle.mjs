// @ts-check
// The portal's initial JavaScript: what index.html loads before any page's chunk (its entry
// script and the modules it preloads), gzipped: the budget is stated for compressed transfer
// (a proxy or CDN compresses; the Go handler itself serves the files as they are).
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** @param {string} path */
async function gzipSize(path) {
  return gzipSync(await readFile(path), { level: 9 }).length;
}

/**
 * The initial files with their raw and gzipped sizes, and every other chunk of the portal.
 * @returns {Promise<{ initial: { file: string, raw: number, gzip: number }[], chunks: { file: string, gzip: number }[] }>}
 */
export async function bundleSizes() {
  const html = await readFile(`${dist}index.html`, 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/(assets\/[^"]+\.js)"/g)].map(
    (m) => /** @type {string} */ (m[1]),
  );
  if (files.length === 0) {
    throw new Error('dist/index.html loads no script: run `npm run build` first');
  }
  const initial = [];
  for (const file of files) {
    const raw = (await readFile(`${dist}${file}`)).length;
    initial.push({ file, raw, gzip: await gzipSize(`${dist}${file}`) });
  }
  const chunks = [];
  for (const name of await readdir(`${dist}assets`)) {
    if (name.endsWith('.js') && !files.includes(`assets/${name}`)) {
      chunks.push({ file: `assets/${name}`, gzip: await gzipSize(`${dist}assets/${name}`) });
    }
  }
  return { initial, chunks };
}

export const initialBudgetBytes = 250 * 1024;
