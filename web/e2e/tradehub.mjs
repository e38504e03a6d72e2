// @ts-check
// Starts the real Tradehub binary for the browser tests: a fresh data folder, a free loopback
// port, development mode (session cookies without Secure, so that plain http://127.0.0.1 keeps
// them; invitation emails written to the log), demo data, no metrics listener, and a readiness
// wait.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const readyTimeoutMs = 60_000;
const stopTimeoutMs = 20_000;

/**
 * @typedef {object} Tradehub
 * @property {string} baseURL   e.g. http://127.0.0.1:43121
 * @property {() => string} output  everything the server printed so far (for failure reports)
 * @property {() => Promise<void>} stop  SIGTERM, wait for exit, remove the temporary files
 */

/** A port the kernel just gave out and took back; the server binds it a moment later. */
async function freePort() {
  const srv = createServer();
  await new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const addr = srv.address();
  await new Promise((resolve) => srv.close(() => resolve(undefined)));
  if (addr === null || typeof addr === 'string') {
    throw new Error(`unexpected listen address ${String(addr)}`);
  }
  return addr.port;
}

/**
 * The binary under test: $TRADEHUB_BIN, or one built now from this work tree (with whatever
 * web/dist holds, so build the portal first).
 * @param {string} dir  a temporary folder for the build
 */
async function binary(dir) {
  const given = process.env['TRADEHUB_BIN'];
  if (given) {
    return given;
  }
  const out = join(dir, 'tradehub');
  await promisify(execFile)('go', ['build', '-o', out, './cmd/tradehub'], {
    cwd: repoRoot,
    maxBuffer: 16 << 20,
  });
  return out;
}

/** @returns {Promise<Tradehub>} */
export async function startTradehub() {
  const tmp = await mkdtemp(join(tmpdir(), 'tradehub-e2e-'));
  const bin = await binary(tmp);
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;

  const child = spawn(bin, [], {
    env: {
      ...process.env,
      TRADEHUB_ADDR: `127.0.0.1:${port}`,
      TRADEHUB_DATA_DIR: join(tmp, 'data'),
      TRADEHUB_DEMO: '1',
      TRADEHUB_ENV: 'development',
      // No metrics listener: its default port (9090) is one for the whole machine, so a second
      // server (another test file, a developer's own) would fail to start.
      TRADEHUB_METRICS_ADDR: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(tmp, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`tradehub exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    }
    try {
      const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) {
        break;
      }
      lastProblem = `/readyz answered ${res.status}`;
    } catch (err) {
      lastProblem = String(err);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`tradehub not ready after ${readyTimeoutMs / 1000} s (${lastProblem}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { baseURL, output: () => output, stop };
}
