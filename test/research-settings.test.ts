// The research settings from the environment (AF_RESEARCH_TTL, _STALE, _RETRY, _CONCURRENCY, _BUDGET),
// the duration parser they share with `report --since`, the docs call size, and the semaphore that
// bounds docs calls.
import { DEFAULT_RESEARCH_BUDGET } from '@agent-factory/core';
import { docsCallTokens, MIN_DOCS_CALL_TOKENS, Semaphore } from '@agent-factory/research';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadResearchSettings } from '../apps/cli/src/config.js';
import { workerSettings, WorkerSettingsError } from '../apps/worker/src/worker-settings.js';
import { durationMs, formatDuration } from '../packages/queue/src/duration.js';
import { parseSince } from '../packages/queue/src/metrics/store.js';
import { researchCacheOptions, researchSettingsFromEnv } from '../packages/queue/src/research-settings.js';
import { runCli } from './helpers/cli.js';

const DAY = 86_400;

describe('research settings', () => {
  it('default to a 7-day TTL, 30 days of stale copies, a 60 s retry, 8 calls at once and core research budget', () => {
    const defaults = { ttlSeconds: 7 * DAY, staleSeconds: 30 * DAY, retryMs: 60_000, concurrency: 8, budgetTokens: DEFAULT_RESEARCH_BUDGET };
    expect(workerSettings({}).researchSettings).toEqual(defaults);
    // An empty variable is an unset one.
    expect(researchSettingsFromEnv({ AF_RESEARCH_TTL: '', AF_RESEARCH_CONCURRENCY: '' })).toEqual(defaults);
  });

  it('read durations as 7d, 12h, 90s, 500ms or plain seconds; lifetimes in whole seconds, rounded up', () => {
    const read = (env: NodeJS.ProcessEnv) => researchSettingsFromEnv(env);
    expect(read({ AF_RESEARCH_TTL: '12h', AF_RESEARCH_STALE: '7d', AF_RESEARCH_RETRY: '500ms' })).toMatchObject({ ttlSeconds: 12 * 3600, staleSeconds: 7 * DAY, retryMs: 500 });
    expect(read({ AF_RESEARCH_TTL: '90', AF_RESEARCH_STALE: '1.5h', AF_RESEARCH_RETRY: '90s' })).toMatchObject({ ttlSeconds: 90, staleSeconds: 5400, retryMs: 90_000 });
    expect(read({ AF_RESEARCH_TTL: '1500ms', AF_RESEARCH_RETRY: ' 2 ' })).toMatchObject({ ttlSeconds: 2, retryMs: 2000 });
    // No stale copies at all: stale-while-error off.
    expect(read({ AF_RESEARCH_STALE: '0' }).staleSeconds).toBe(0);
    expect(read({ AF_RESEARCH_CONCURRENCY: '3', AF_RESEARCH_BUDGET: '3000' })).toMatchObject({ concurrency: 3, budgetTokens: 3000 });
  });

  it('name the variable and say what is wrong with a bad value, as a worker settings error (exit 2 from the CLI)', () => {
    const error = (env: NodeJS.ProcessEnv): string => {
      try {
        workerSettings(env);
      } catch (e) {
        expect(e).toBeInstanceOf(WorkerSettingsError);
        return (e as Error).message;
      }
      throw new Error(`no error for ${JSON.stringify(env)}`);
    };
    expect(error({ AF_RESEARCH_TTL: '7 days' })).toBe('AF_RESEARCH_TTL: "7 days" is not a duration (e.g. 7d, 12h, 90s, 500ms, or a number of seconds)');
    expect(error({ AF_RESEARCH_TTL: '500ms' })).toBe('AF_RESEARCH_TTL: "500ms" is out of range: from 1s to 3650d');
    expect(error({ AF_RESEARCH_TTL: '7D' })).toMatch(/^AF_RESEARCH_TTL: "7D" is not a duration/);
    expect(error({ AF_RESEARCH_STALE: '-1d' })).toMatch(/^AF_RESEARCH_STALE: "-1d" is not a duration/);
    expect(error({ AF_RESEARCH_STALE: '99999d' })).toBe('AF_RESEARCH_STALE: "99999d" is out of range: from 0s to 3650d');
    expect(error({ AF_RESEARCH_RETRY: '0' })).toBe('AF_RESEARCH_RETRY: "0" is out of range: from 1ms to 3650d');
    expect(error({ AF_RESEARCH_CONCURRENCY: '0' })).toBe('AF_RESEARCH_CONCURRENCY: "0" is not a whole number from 1 to 1000');
    expect(error({ AF_RESEARCH_CONCURRENCY: 'many' })).toBe('AF_RESEARCH_CONCURRENCY: "many" is not a whole number from 1 to 1000');
    expect(error({ AF_RESEARCH_BUDGET: '1e3' })).toBe('AF_RESEARCH_BUDGET: "1e3" is not a whole number from 100 to 3000');
    expect(error({ AF_RESEARCH_BUDGET: '5000' })).toBe('AF_RESEARCH_BUDGET: "5000" is not a whole number from 100 to 3000');
    // The CLI's own reader (cache warm) says the same, as a usage error.
    expect(() => loadResearchSettings({ AF_RESEARCH_RETRY: 'soon' })).toThrow(/^AF_RESEARCH_RETRY: "soon" is not a duration/);
  });

  it('reach the shared cache as the research namespace TTL, its stale window and the retry delay', () => {
    const settings = researchSettingsFromEnv({ AF_RESEARCH_TTL: '1h', AF_RESEARCH_STALE: '2h', AF_RESEARCH_RETRY: '5s' });
    expect(researchCacheOptions(settings)).toEqual({ ttlSeconds: { research: 3600 }, staleSeconds: { research: 7200 }, staleRetryMs: 5000 });
  });

  it('`agent-factory worker` refuses a bad value before connecting, exit 2', async () => {
    const run = await runCli(['worker'], { env: { AF_RESEARCH_CONCURRENCY: '-2', REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('AF_RESEARCH_CONCURRENCY: "-2" is not a whole number from 1 to 1000');
  });
});

describe('agents cache settings', () => {
  it('keep a finished agent 7 days by default, or AF_AGENTS_TTL; a bad value names the variable', () => {
    expect(workerSettings({}).cacheSettings).toEqual({ enabled: true, agentsTtlSeconds: 7 * DAY });
    expect(workerSettings({ AF_AGENTS_TTL: '12h' }).cacheSettings).toEqual({ enabled: true, agentsTtlSeconds: 12 * 3600 });
    expect(() => workerSettings({ AF_AGENTS_TTL: 'a week' })).toThrow('AF_AGENTS_TTL: "a week" is not a duration (e.g. 7d, 12h, 90s, 500ms, or a number of seconds)');
    expect(() => workerSettings({ AF_AGENTS_TTL: '0' })).toThrow('AF_AGENTS_TTL: "0" is out of range: from 1s to 3650d');
  });

  it('AF_CACHE: none (as documented) and the usual boolean words; anything else names the variable', () => {
    for (const off of ['none', 'off', 'OFF', 'false', '0', 'no']) expect(workerSettings({ AF_CACHE: off }).cache, off).toBe(false);
    for (const on of ['', 'on', 'true', '1', 'yes']) expect(workerSettings({ AF_CACHE: on }).cache, on).toBe(true);
    expect(() => workerSettings({ AF_CACHE: 'of' })).toThrow(/^AF_CACHE: must be none, off, false, 0, no \(cache off\) or on, true, 1, yes \(on\)$/);
  });
});

describe('durations', () => {
  it('parse with a unit, or bare in the unit given; format back in the largest whole unit', () => {
    expect([durationMs('500ms'), durationMs('90s'), durationMs('15m'), durationMs('12h'), durationMs('7d'), durationMs('1.5 h')]).toEqual([500, 90_000, 900_000, 43_200_000, 604_800_000, 5_400_000]);
    expect(durationMs('90')).toBeUndefined();
    expect(durationMs('90', 's')).toBe(90_000);
    for (const bad of ['', 'soon', '-5s', '5 minutes', '1e3s', '.5s', '5w']) expect(durationMs(bad, 's')).toBeUndefined();
    expect([formatDuration(0), formatDuration(1500), formatDuration(90_000), formatDuration(604_800_000)]).toEqual(['0s', '1500ms', '90s', '7d']);
  });

  it('are what `report --since` reads, still within the 30 days the metrics keep', () => {
    expect(parseSince('15m')).toBe(900_000);
    expect(parseSince('7d')).toBe(604_800_000);
    expect(() => parseSince('yesterday')).toThrow('"yesterday" is not a duration like 15m, 1h or 7d');
    expect(() => parseSince('15')).toThrow(/is not a duration/);
    expect(() => parseSince('31d')).toThrow('"31d": the metrics keep at most 30 days');
    expect(() => parseSince('0m')).toThrow('"0m": a window must be longer than nothing, like 15m');
  });
});

describe('docs calls', () => {
  it('ask for the research budget, never less than the minimum', () => {
    expect(docsCallTokens(3000)).toBe(3000);
    expect(docsCallTokens(DEFAULT_RESEARCH_BUDGET)).toBe(Math.max(MIN_DOCS_CALL_TOKENS, DEFAULT_RESEARCH_BUDGET));
    expect(docsCallTokens(100)).toBe(MIN_DOCS_CALL_TOKENS);
  });

  it('are bounded by a semaphore: at most its limit at once, the rest in arrival order, a failure frees its slot', async () => {
    const slots = new Semaphore(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (i: number) => async (): Promise<number> => {
      started.push(i);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (i === 1) throw new Error('boom');
      return i;
    };
    const results = await Promise.allSettled(Array.from({ length: 7 }, (_, i) => slots.run(task(i))));
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed'))).toEqual([0, 'failed', 2, 3, 4, 5, 6]);
    expect([slots.active, slots.queued]).toEqual([0, 0]);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe("the README's research durations", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const row = readme.split('\n').find((line) => line.startsWith('| `AF_RESEARCH_TTL`')) ?? '';

  it('state the bounds the parser keeps: AF_RESEARCH_TTL from 1s (500ms, offered for all three, is refused there)', () => {
    expect(row).toContain('`AF_RESEARCH_TTL` at least `1s`');
    expect(row).toContain('at most `3650d`');
    expect(workerSettings({ AF_RESEARCH_TTL: '1s' }).researchSettings.ttlSeconds).toBe(1);
    expect(() => workerSettings({ AF_RESEARCH_TTL: '500ms' })).toThrow('AF_RESEARCH_TTL: "500ms" is out of range: from 1s to 3650d');
    expect(workerSettings({ AF_RESEARCH_STALE: '500ms', AF_RESEARCH_RETRY: '500ms' }).researchSettings).toMatchObject({ staleSeconds: 1, retryMs: 500 });
  });
});
