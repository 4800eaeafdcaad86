import type { RequestGate } from '@agent-factory/llm';
import {
  batchUsage, DEFAULT_TRANSIT_MS, openRedis, parseRateLimit, queueConfigFromEnv, RateLimitedError, RateLimiter, readLimitHeaders, type RateLimiterOptions, type RedisClient,
} from '@agent-factory/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

let redis: TestRedis;
const clients: RedisClient[] = [];

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
  await redis?.stop();
});

/** `n` limiters on one prefix, each with its own connection: like n worker processes. */
async function limiters(n: number, options: Omit<RateLimiterOptions, 'redis' | 'prefix'>, prefix = testPrefix()): Promise<RateLimiter[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const client = await openRedis(redis.url, 'worker');
      clients.push(client);
      return new RateLimiter({ redis: client, prefix, ...options });
    }),
  );
}

const NO_USAGE = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };

describe('parseRateLimit', () => {
  it('reads any subset of rpm, itpm and otpm, and names what is wrong', () => {
    expect(parseRateLimit('rpm=50,itpm=30000,otpm=8000')).toEqual({ rpm: 50, itpm: 30000, otpm: 8000 });
    expect(parseRateLimit(' itpm = 400 ')).toEqual({ itpm: 400 });
    for (const bad of ['rpm=0', 'rpm=1.5', 'tpm=5', 'rpm=5,rpm=6', '', 'rpm', 'toString=5']) expect(() => parseRateLimit(bad)).toThrow();
    expect(queueConfigFromEnv({ AF_RATE_LIMIT: 'rpm=60' }).rateLimit).toEqual({ rpm: 60 });
    expect(() => queueConfigFromEnv({ AF_RATE_LIMIT: 'rpm=x' })).toThrow(/AF_RATE_LIMIT/);
  });

  it('reads the anthropic-ratelimit-* headers', () => {
    const headers = new Headers({ 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '49', 'anthropic-ratelimit-output-tokens-remaining': '700' });
    expect(readLimitHeaders(headers)).toEqual({ requests: { limit: 50, remaining: 49 }, output: { remaining: 700 } });
  });
});

describe('cluster-wide limiter (real redis-server)', () => {
  it('never lets 4 limiters together exceed the limits, and uses what the limits allow', async () => {
    // A 1 s window makes the refill visible in a short test: capacity 20 requests / 4,000 input tokens, refilled per ms.
    const windowMs = 1000;
    const rpm = 20;
    const itpm = 4000;
    const fleet = await limiters(4, { limits: { rpm, itpm }, windowMs, maxWaitMs: 300 });
    const starts: Array<{ at: number; input: number }> = [];
    const t0 = Date.now();
    const until = t0 + 2000;
    let refusals = 0;
    await Promise.all(
      fleet.flatMap((limiter, w) =>
        Array.from({ length: 8 }, async (_, j) => {
          const gate = limiter.gate();
          let n = 0;
          while (Date.now() < until) {
            const input = 100 + ((w * 8 + j + n++) % 7) * 50;
            try {
              const permit = await gate.acquire({ model: 'm', inputTokens: input, maxTokens: 0 });
              starts.push({ at: Date.now(), input });
              await sleep(5);
              await permit.release({ usage: { ...NO_USAGE, input } });
            } catch (error) {
              if (!(error instanceof RateLimitedError)) throw error;
              refusals++;
              await sleep(error.retryInMs);
            }
          }
        }),
      ),
    );
    starts.sort((a, b) => a.at - b.at);
    // A full bucket at t0: in [t0, t] at most capacity + rate × (t − t0) may start (a few ms of clock slack).
    let requests = 0;
    let input = 0;
    for (const s of starts) {
      requests++;
      input += s.input;
      const elapsed = s.at - t0 + 5;
      expect(requests).toBeLessThanOrEqual(rpm + (rpm * elapsed) / windowMs + 1);
      expect(input).toBeLessThanOrEqual(itpm + (itpm * elapsed) / windowMs + 100);
    }
    // Any later interval too: no burst after a quiet spell beyond what refilled.
    for (let i = 0; i < starts.length; i++) {
      let sum = 0;
      for (let j = i; j < starts.length; j++) {
        sum += starts[j]!.input;
        expect(sum).toBeLessThanOrEqual(itpm + (itpm * (starts[j]!.at - starts[i]!.at + 5)) / windowMs + 100);
      }
    }
    // Saturation: the binding limit (input tokens) was used nearly to the full allowance of the 2 s.
    const last = starts.at(-1)!.at;
    const allowance = itpm + (itpm * (last - t0)) / windowMs;
    expect(input / allowance).toBeGreaterThan(0.85);
    expect(refusals).toBeGreaterThan(0);
  });

  it('settles with the real usage: unused tokens come back, the API\'s lower count wins, usage goes to the batch', async () => {
    const prefix = testPrefix();
    const [a, b] = await limiters(2, { limits: { itpm: 1000, otpm: 1000 } }, prefix);
    // A full bucket holds the limit less DEFAULT_TRANSIT_MS of refill (the API takes a cost when the request reaches it).
    const full = 1000 * (1 - DEFAULT_TRANSIT_MS / 60_000);
    const r = await a!.reserve({ requests: 1, input: 600, output: 800 });
    expect(r.granted && r.waitMs).toBe(0);
    expect(r.levels.input).toBeCloseTo(full - 600, -1);
    expect(r.levels.output).toBeCloseTo(full - 800, -1);
    if (!r.granted) return;
    // 100 input and 300 output used: 500 and 500 come back, seen by the other limiter too.
    await a!.settle(r.amounts, { requests: 1, input: 100, output: 300 }, { usage: { batch: 'b_x', amounts: { requests: 1, input: 100, output: 300, cacheRead: 7 } } });
    const after = await b!.levels();
    expect(after.input).toBeCloseTo(full - 100, -1);
    expect(after.output).toBeCloseTo(full - 300, -1);
    expect(await batchUsage(clients[0]!, prefix, 'b_x')).toMatchObject({ requests: 1, input: 100, output: 300, cacheRead: 7 });
    // The API says fewer input tokens remain than we think: our bucket follows it down, never up.
    await b!.settle({ requests: 0, input: 0, output: 0 }, { requests: 0, input: 0, output: 0 }, { reports: { input: { remaining: 50 }, output: { remaining: 5000 } } });
    const lowered = await a!.levels();
    expect(lowered.input).toBeLessThan(60);
    expect(lowered.output).toBeCloseTo(full - 300, -1);
    // A request larger than a limit is cut to the limit (it could never fit otherwise) and waits for a full bucket.
    const big = await a!.reserve({ input: 5000 }, 120_000);
    expect(big.granted && big.amounts.input).toBe(1000);
  });

  it('a pause (after a 429) blocks every limiter until it ends; a 429 through a gate pauses everyone', async () => {
    const fleet = await limiters(4, { limits: { rpm: 1000 }, maxWaitMs: 1000 });
    const [a, ...others] = fleet;
    const t0 = Date.now();
    await a!.pause(400);
    const waited = await Promise.all(
      others.map(async (l) => {
        const permit = await l.gate().acquire({ model: 'm', inputTokens: 10, maxTokens: 10 });
        await permit.release({ usage: NO_USAGE });
        return Date.now() - t0;
      }),
    );
    for (const ms of waited) expect(ms).toBeGreaterThanOrEqual(395);

    // A pause longer than a job may sleep: the job goes back to the queue for the rest of it.
    const permit = await a!.gate().acquire({ model: 'm', inputTokens: 10, maxTokens: 10 });
    const error = Object.assign(new Error('429 rate_limit_error'), { status: 429, retryAfterMs: 3000 });
    await expect(permit.release({ usage: NO_USAGE, error })).rejects.toBeInstanceOf(RateLimitedError);
    for (const l of fleet) {
      expect(await l.pausedForMs()).toBeGreaterThan(2500);
      const refused = await l.gate().acquire({ model: 'm', inputTokens: 10, maxTokens: 10 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).retryInMs).toBeGreaterThan(1500);
    }
  });

  it('is the gate @agent-factory/llm expects', () => {
    // Compile-time: the queue's gate fits the provider's option without either package importing the other.
    const gate: RequestGate = new RateLimiter({ redis: clients[0]!, prefix: testPrefix() }).gate();
    expect(typeof gate.acquire).toBe('function');
  });
});
