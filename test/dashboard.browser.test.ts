import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, createLogger, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { startServer, type RunningServer } from '@agent-factory/server';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { spawnWorker, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core): the page loads, shows
 * a batch this test submits, and updates as the batch finishes. CI installs chromium; elsewhere the
 * test runs when CHROMIUM_PATH or /usr/bin/chromium exists.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env['CI']) throw new Error(`CI needs chromium at ${CHROMIUM} for the dashboard test (.ci/run installs it)`);

const TOKEN = 'dashboard-test-token';
const VIEWER_TOKEN = 'dashboard-test-viewer-token';
const TOTAL = 12;
/** Screenshots the tests take, to look at by hand. */
const SHOTS = process.env['AF_SCREENSHOTS'] ?? tmpdir();

let redis: TestRedis;
let conn: FactoryConnection;
let server: RunningServer;
let worker: WorkerProcess;
let browser: Browser;
let prefix: string;

describe.skipIf(!haveBrowser)('dashboard page in a browser', () => {
  beforeAll(async () => {
    redis = await startRedis({ appendonly: false });
    prefix = testPrefix();
    conn = await connect({ redisUrl: redis.url, prefix }, { logger: createLogger({}, { level: 'error' }) });
    server = await startServer(conn, { host: '127.0.0.1', port: 0, apiToken: TOKEN, viewerToken: VIEWER_TOKEN });
    // Slow generation (1 s each, two at a time: some 6 s in all) so the page, which refreshes every few seconds, sees the batch running, then done.
    worker = await spawnWorker({ REDIS_URL: redis.url, AF_PREFIX: prefix, AF_GENERATE_DELAY_MS: '1000', AF_CONCURRENCY: 'generate=2', AF_RESEARCH: 'local' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await server?.close();
    await conn?.close();
    await redis?.stop();
  });

  it('loads behind auth, shows a submitted batch, and updates as it finishes', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: TOKEN } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.textContent('#updated'), { timeout: 10_000 }).toMatch(/^updated /);
    expect(await page.getAttribute('#board-link', 'href')).toBe('admin/queues/');

    const batch = await submitBatch(conn, syntheticRequirements(TOTAL, 31).map((requirement, i) => ({ id: `d${i}`, requirement })), { name: 'dashboard-batch', useCache: false });
    const row = page.locator(`#batches tbody tr[data-batch^="dashboard-batch"]`);
    // Seen while it runs: some done, not all.
    await expect.poll(async () => (await row.count()) > 0 && (await row.locator('td').nth(1).textContent()), { timeout: 15_000 }).toBe('running');
    // And again when it finished: every requirement completed, progress full, throughput on the tiles.
    await expect.poll(async () => row.locator('td').nth(3).textContent(), { timeout: 30_000 }).toBe(String(TOTAL));
    await expect.poll(async () => row.locator('td').nth(1).textContent(), { timeout: 10_000 }).toBe('completed');
    // The progress element's value and max reflect to its attributes.
    const bar = row.locator('progress');
    expect([await bar.getAttribute('value'), await bar.getAttribute('max')]).toEqual([String(TOTAL), String(TOTAL)]);
    await expect.poll(() => page.textContent('#throughput'), { timeout: 10_000 }).not.toBe('—');
    expect(await page.locator('#stages tbody tr').count()).toBe(4);
    expect(await page.locator('#queues tbody tr').count()).toBe(4);
    expect(batch.id).toMatch(/^b_/);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it("fits the read-only board's title in Bull Board's header", async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'viewer', password: VIEWER_TOKEN }, viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/admin/queues/`);
      const title = page.locator('header a span', { hasText: /read-only/ }).first();
      await title.waitFor({ timeout: 15_000 });
      const fits = await title.evaluate((span) => span.scrollWidth <= span.clientWidth);
      await page.screenshot({ path: `${SHOTS}/board-viewer.png` });
      expect(fits).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('asks the browser for credentials without a token', async () => {
    const context = await browser.newContext();
    const response = await context.request.get(`${server.url}/`);
    expect(response.status()).toBe(401);
    expect(response.headers()['www-authenticate']).toMatch(/^Basic /);
    await context.close();
  });
});
