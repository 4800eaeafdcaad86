import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, createLogger, submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { startServer, type RunningServer } from '@agent-factory/server';
import { chromium, type Browser, type Page } from 'playwright-core';
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
    // The bar is all one completed segment, and says so to a screen reader.
    const bar = row.locator('.bar');
    expect(await bar.locator('.seg').evaluateAll((segs) => segs.map((s) => [s.className, s.getAttribute('data-count')]))).toEqual([['seg completed', String(TOTAL)]]);
    expect(await bar.getAttribute('aria-label')).toContain(`${TOTAL} completed, 0 failed, 0 cancelled, 0 pending of ${TOTAL}`);
    await expect.poll(() => page.textContent('#throughput'), { timeout: 10_000 }).not.toBe('—');
    expect(await page.locator('#stages tbody tr').count()).toBe(4);
    // The stage queues, then the server's own: Message Batches in flight and batch webhooks.
    expect(await page.locator('#queues tbody tr td:first-child').allTextContents()).toEqual(['analyze', 'research', 'generate', 'validate', 'llm-batches', 'webhooks']);
    // The tiles' window is on them, visibly (/metrics' cluster window is another).
    expect(await page.locator('.tile .window').allInnerTexts()).toEqual(Array(5).fill('last 15 min'));
    expect(await page.textContent('#batch-summary')).toMatch(/^0 running or interrupted; the 1 newest finished; 1 batch in all\.$/);
    expect(batch.id).toMatch(/^b_/);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  /** The page with /api/dashboard answered by `answer` (the real JSON, changed) instead of the server. */
  async function pageWith(width: number, answer: (real: Record<string, unknown>) => Record<string, unknown>): Promise<{ page: Page; close: () => Promise<void> }> {
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: TOKEN }, viewport: { width, height: 900 } });
    const real = (await (await context.request.get(`${server.url}/api/dashboard`)).json()) as Record<string, unknown>;
    const page = await context.newPage();
    await page.route('**/api/dashboard', (route) => route.fulfill({ json: answer(real) }));
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.textContent('#updated'), { timeout: 10_000 }).toMatch(/^updated /);
    return { page, close: () => context.close() };
  }

  const base = { tenant: 'default', priority: 0, createdAt: '2026-01-01T10:00:00.000Z', inputs: 300, total: 300 };
  const counts = (completed: number, failed: number, cancelled: number, pending: number) => ({ completed, failed, cancelled, pending });
  const REASON = 'submit stopped after enqueuing 120 of the file\'s 300 requirement(s): its process stopped. To finish the batch, run `agent-factory submit FILE --resume b_interrupted`; or cancel it.';
  const BATCHES = [
    { ...base, id: 'b_running', name: 'b_running', state: 'running', counts: counts(100, 20, 0, 180) },
    { ...base, id: 'b_interrupted', name: 'nightly-import-with-a-rather-long-name', state: 'interrupted', inputs: 120, total: 120, reason: REASON, counts: counts(0, 0, 0, 120) },
    { ...base, id: 'b_cancelled', name: 'b_cancelled', state: 'cancelled', counts: counts(60, 0, 240, 0) },
    { ...base, id: 'b_allfailed', name: 'b_allfailed', state: 'completed', total: 5, inputs: 5, counts: counts(0, 5, 0, 0), webhook: { state: 'failed', at: '2026-01-01T10:05:00.000Z', error: 'HTTP 500 from the endpoint after 8 attempts' } },
    { ...base, id: 'b_hooked', name: 'b_hooked', state: 'completed', total: 3, inputs: 3, counts: counts(3, 0, 0, 0), webhook: { state: 'delivered', at: '2026-01-01T10:06:00.000Z' } },
  ];
  const ALERTS = {
    checkedAt: '2026-01-01T10:10:00.000Z', windowMinutes: 5, thresholds: { errorRate: 0.05, p95Ms: 120_000, tokensPerAgent: 8000 },
    active: [{ name: 'error_rate', value: 0.2, threshold: 0.05, message: 'error rate 20.0% is over 5.0% (2 of 10 failed)', since: '2026-01-01T10:07:00.000Z' }],
  };

  it('shows every outcome in a batch row: cancelled and failed segments, the reason of an interrupted batch, its webhook', async () => {
    const { page, close } = await pageWith(1280, (real) => ({ ...real, batches: BATCHES, batchCounts: { total: 120, unfinished: 53, unlisted: 51 } }));
    try {
      const cells = (id: string) => page.locator(`#batches tbody tr[data-batch="${id}"] td`).allInnerTexts();
      const segments = (id: string) => page.locator(`#batches tbody tr[data-batch="${id}"] .seg`).evaluateAll((segs) => segs.map((s) => [s.className, /width: ([^;]+)/.exec(s.getAttribute('style') ?? '')?.[1]]));
      // Columns: batch, state, progress, completed, failed, cancelled, pending, webhook.
      expect((await cells('b_cancelled')).slice(3)).toEqual(['60', '0', '240', '0', '']);
      expect(await segments('b_cancelled')).toEqual([['seg completed', '20%'], ['seg cancelled', '80%']]);
      expect(await segments('b_running')).toEqual([['seg completed', '33.3333%'], ['seg failed', '6.66667%']]);
      // All failed: not shown as a success.
      expect((await cells('b_allfailed'))[1]).toBe('completed, all failed');
      expect(await segments('b_allfailed')).toEqual([['seg failed', '100%']]);
      expect((await cells('b_allfailed'))[7]).toBe('failed 10:05:00: HTTP 500 from the endpoint after 8 attempts'.replace('10:05:00', new Date('2026-01-01T10:05:00.000Z').toLocaleTimeString('en-GB', { hour12: false })));
      expect((await cells('b_hooked'))[7]).toMatch(/^delivered \d\d:\d\d:\d\d$/);
      // Interrupted: why, and the command that resumes it, right under its row.
      const interrupted = 'nightly-import-with-a-rather-long-name (b_interrupted)';
      expect((await cells(interrupted))[1]).toBe('interrupted');
      expect(await page.textContent('#batches tr[data-note-for="b_interrupted"]')).toBe(REASON);
      expect(await page.textContent('#batch-summary')).toBe('53 running or interrupted, and 51 more not listed; the 3 newest finished; 120 batches in all.');
      expect(await page.locator('.legend').innerText()).toMatch(/completed\s+failed\s+cancelled\s+pending/);
      await page.screenshot({ path: `${SHOTS}/batches-1280.png`, fullPage: true });
    } finally {
      await close();
    }
  });

  it('shows a crossed alert threshold in a banner and on its tile', async () => {
    const { page, close } = await pageWith(1280, (real) => ({ ...real, alerts: ALERTS }));
    try {
      const banner = page.locator('#alerts');
      expect(await banner.isVisible()).toBe(true);
      expect(await banner.innerText()).toContain('error rate 20.0% is over 5.0% (2 of 10 failed)');
      expect(await banner.innerText()).toContain('over the last 5 min');
      expect(await page.locator('.tile.alerting .value').evaluateAll((values) => values.map((v) => v.id))).toEqual(['errors']);
      await page.screenshot({ path: `${SHOTS}/alerts-1280.png` });
    } finally {
      await close();
    }
    // No alert crossed, or no server checking: no banner, no tile highlighted.
    const calm = await pageWith(1280, (real) => ({ ...real, alerts: { ...ALERTS, active: [] } }));
    try {
      expect(await calm.page.locator('#alerts').isVisible()).toBe(false);
      expect(await calm.page.locator('.tile.alerting').count()).toBe(0);
    } finally {
      await calm.close();
    }
  });

  it('says in a banner that Redis is full, and what frees it, while it is', async () => {
    const message = 'Redis is full (45.0 MB of maxmemory 45.0 MB): with noeviction it refuses every write, so batches stop until there is room; raise maxmemory, or keep less';
    const { page, close } = await pageWith(1280, (real) => ({ ...real, redisFull: { node: '127.0.0.1:6379', used: 47_185_920, max: 47_185_920, message } }));
    try {
      expect(await page.locator('#redis-full').isVisible()).toBe(true);
      expect(await page.locator('#redis-full').innerText()).toBe(message);
      await page.screenshot({ path: `${SHOTS}/redis-full-1280.png` });
    } finally {
      await close();
    }
    // The real answer: Redis has room.
    const roomy = await pageWith(1280, (real) => real);
    try {
      expect(await roomy.page.locator('#redis-full').isVisible()).toBe(false);
    } finally {
      await roomy.close();
    }
  });

  it('says so when there is nothing: no batches, no failures', async () => {
    const { page, close } = await pageWith(1280, (real) => ({ ...real, batches: [], batchCounts: { total: 0, unfinished: 0, unlisted: 0 }, failures: [] }));
    try {
      expect(await page.locator('#batches tbody').innerText()).toBe('no batches yet');
      expect(await page.locator('#failures').innerText()).toBe('no failures');
    } finally {
      await close();
    }
  });

  it('never scrolls sideways, at phone and desktop widths', async () => {
    for (const width of [400, 1280]) {
      const { page, close } = await pageWith(width, (real) => ({ ...real, batches: BATCHES, batchCounts: { total: 5, unfinished: 2, unlisted: 0 }, alerts: ALERTS }));
      try {
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        await page.screenshot({ path: `${SHOTS}/page-${width}.png`, fullPage: true });
      } finally {
        await close();
      }
    }
  });

  it('says the numbers are stale, since when and why, while the server does not answer, until it does', async () => {
    const { page, close } = await pageWith(1280, (real) => real);
    try {
      const updated = (await page.textContent('#updated'))!.replace('updated ', '');
      expect(await page.locator('#stale').isVisible()).toBe(false);
      // The server hangs (Redis paused): no answer at all.
      await page.unroute('**/api/dashboard');
      let release: () => void = () => undefined;
      const hung = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/dashboard', async (route) => {
        await hung;
        await route.abort().catch(() => undefined);
      });
      await expect.poll(() => page.locator('#stale').isVisible(), { timeout: 15_000 }).toBe(true);
      const last = await page.textContent('#updated');
      expect(await page.textContent('#stale')).toBe(`not updating since ${last!.replace('not updating since ', '')}: no answer in 5 s`);
      expect(last).toMatch(/^not updating since \d\d:\d\d:\d\d$/);
      expect(updated <= last!.replace('not updating since ', '')).toBe(true);
      await page.screenshot({ path: `${SHOTS}/stale-1280.png` });
      // It answers again: the warning goes.
      release();
      await page.unroute('**/api/dashboard');
      await expect.poll(() => page.locator('#stale').isVisible(), { timeout: 15_000 }).toBe(false);
      expect(await page.textContent('#updated')).toMatch(/^updated /);
    } finally {
      await close();
    }
  }, 40_000);

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
