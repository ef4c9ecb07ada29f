// run.mjs - the web UI's end-to-end test: a real `holdfast serve` with demo
// data on a free loopback port, driven through Debian's chromium by
// playwright-core (headless, no downloaded browser). Every scenario of
// issue #8 runs in its own browser context; screenshots at phone and
// desktop sizes go to OUT_DIR for review.
//
//   node run.mjs   with HOLDFAST_BIN, WEB_DIR (web/, built), OUT_DIR, and
//                  the server's HOLDFAST_POLICIES/TEMPLATES/INTENTS_MODEL
//
// Exits 0 when every scenario passes, 1 otherwise. A missing chromium is a
// failure (scripts/install-deps installs it), not a skip.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { scenarios } from './scenarios.mjs';

const BIN = process.env.HOLDFAST_BIN;
const WEB_DIR = process.env.WEB_DIR;
const OUT_DIR = process.env.OUT_DIR || path.join(tmpdir(), 'holdfast-e2e');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ONLY = process.env.E2E_ONLY; // run the scenarios whose name has this

function die(msg) { console.error(`e2e: ${msg}`); process.exit(1); }
if (!BIN || !WEB_DIR) die('HOLDFAST_BIN and WEB_DIR must be set');
if (!existsSync(path.join(WEB_DIR, 'dist', 'index.html'))) die(`${WEB_DIR}/dist is not built`);
if (!existsSync(CHROMIUM)) die(`${CHROMIUM} is missing: run scripts/install-deps`);
const { chromium } = createRequire(path.join(WEB_DIR, 'package.json'))('playwright-core');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function waitHealthy(base, server) {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`holdfast serve exited with ${server.exitCode}`);
    try { if ((await fetch(`${base}/healthz`)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('holdfast serve did not become healthy');
}

// The API as the test's own staff client (to set scenes up and check them).
function client(base, key) {
  let n = 0;
  return async function call(method, p, body, extra = {}) {
    const headers = { Authorization: `Bearer ${key}`, ...extra };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Idempotency-Key'] = `e2e-${process.pid}-${++n}`;
    }
    const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return json;
  };
}

const work = mkdtempSync(path.join(tmpdir(), 'hf-e2e-'));
const db = path.join(work, 'shop.db');
mkdirSync(OUT_DIR, { recursive: true });
let server = null;
let browser = null;
let failed = 0;
try {
  execFileSync(BIN, ['demo', '--db', db, '--seed', '1', '--orders', '3000'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const admin = execFileSync(BIN, ['keys', 'create', '--db', db, '--role', 'admin']).toString().trim();
  const agent = execFileSync(BIN, ['keys', 'create', '--db', db, '--role', 'agent']).toString().trim();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--web', path.join(WEB_DIR, 'dist')],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOLDFAST_NOTIFY_PUBLIC_URL: base } });
  let serverLog = '';
  server.stderr.on('data', (d) => { serverLog = (serverLog + d).slice(-20000); });
  await waitHealthy(base, server);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const env = { base, admin, agent, api: client(base, admin), agentApi: client(base, agent), outDir: OUT_DIR };
  for (const sc of scenarios) {
    if (ONLY && !sc.name.includes(ONLY)) continue;
    const started = Date.now();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // a screenshot of this page at phone and desktop sizes
    env.shoot = async (name) => {
      const size = page.viewportSize();
      await page.setViewportSize({ width: 360, height: 740 });
      await page.screenshot({ path: path.join(OUT_DIR, `${name}-360.png`), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.screenshot({ path: path.join(OUT_DIR, `${name}-1280.png`), fullPage: true });
      await page.setViewportSize(size);
    };
    try {
      await sc.run(page, env);
      if (errors.length) throw new Error(`script errors on the page: ${errors.join('; ')}`);
      console.log(`ok   ${sc.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${sc.name}: ${e.message}`);
      await page.screenshot({ path: path.join(OUT_DIR, `FAILED-${sc.name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    }
    await context.close();
  }
  if (failed) console.log(`server log (tail):\n${serverLog.slice(-3000)}`);
  console.log(`screenshots in ${OUT_DIR}`);
} catch (e) {
  failed++;
  console.error(`e2e: ${e.stack || e.message}`);
} finally {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
