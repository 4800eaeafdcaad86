import { submitBatch, type FactoryConnection } from '@agent-factory/queue';
import { startSimulator, type Simulator } from '@agent-factory/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import { factoryRig } from './helpers/factory-rig.js';
import { waitForBatch } from './helpers/queue-workers.js';
import { testPrefix } from './helpers/redis.js';

/**
 * AF_RATE_LIMIT equal to the provider's own limit, from idle (both buckets full): a burst of a
 * minute's requests, then the refill rate. Real Redis, simulator and 2 worker processes. The simulator
 * takes a request's cost when it arrives, some 0.1–2 s after our limiter reserved it (the workers are
 * busy with the burst); before the fix the request after the burst met a 429 in 8 of 9 runs.
 */
const RPM = 60;
/** A minute's burst plus some 15 s at the refill rate. */
const N = RPM + 15;
const MESSAGES = 'POST /v1/messages';

const rig = factoryRig();
let sim: Simulator;
let conn: FactoryConnection;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, ttftMs: 2, limits: { rpm: RPM } });
  const prefix = testPrefix();
  conn = await rig.open(prefix);
  const env = {
    AF_PREFIX: prefix, ANTHROPIC_API_KEY: 'sim-key', ANTHROPIC_BASE_URL: sim.url, AF_PROVIDER: 'anthropic', AF_RESEARCH: 'local',
    AF_RATE_LIMIT: `rpm=${RPM}`, AF_CONCURRENCY: 'generate=8',
  };
  await Promise.all([0, 1].map(() => rig.spawn(env)));
}, 30_000);

// Before the rig's (hooks after the tests run last-registered first): the workers are idle by then.
afterAll(async () => {
  await sim?.close();
});

describe('rate limiter at the provider\'s own limit', () => {
  it('a burst from idle, then the refill rate: not one 429, and the limit used', async () => {
    const t0 = Date.now();
    let lastAt = t0;
    let seen = 0;
    const watch = setInterval(() => {
      const n = sim.ledger.requests.byEndpoint[MESSAGES] ?? 0;
      if (n !== seen) [seen, lastAt] = [n, Date.now()];
    }, 10);
    let counts;
    try {
      const batch = await submitBatch(conn, syntheticRequirements(N, 606).map((requirement, i) => ({ id: `r${i}`, requirement })), { useCache: false });
      counts = (await waitForBatch(conn, batch.id, 50_000)).counts;
    } finally {
      clearInterval(watch);
    }
    const requests = sim.ledger.requests.byEndpoint[MESSAGES] ?? 0;
    const limited = sim.ledger.responses429;
    // What the simulator's bucket allowed from the submit to the last request: full, then the refill.
    const saturation = (requests - limited) / (RPM + (RPM * (lastAt - t0)) / 60_000);
    console.info(`at the provider's limit: ${requests} requests, ${limited} answered 429, ${(100 * saturation).toFixed(1)}% of rpm ${RPM} over ${lastAt - t0} ms`);
    expect(counts).toMatchObject({ completed: N, failed: 0 });
    expect(limited).toBe(0);
    expect(saturation).toBeGreaterThan(0.9);
  }, 60_000);
});
