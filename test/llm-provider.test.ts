import { addUsage, EMPTY_RESEARCH, OfflineFallbackError, planRequirement, runPipeline, ZERO_USAGE, type AgentResult, type GenerationProgress, type Usage } from '@agent-factory/core';
import { LocalDocsSource } from '@agent-factory/research';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRequirements } from '../bench/synthetic.js';
import {
  costOf, createAnthropicProvider, maxTokensFor, resultCostUsd, ProviderError, type AnthropicProviderOptions, type PlannedRequest, type RequestGate, type RetryEvent,
} from '../packages/llm/src/index.js';
import { isPermanentError } from '../packages/queue/src/errors.js';
import { startSimulator, type Simulator, type TokenCounts } from '../packages/sim/src/index.js';

/** The real SDK against the simulator: nothing is mocked. Fast settings keep the file short. */
let sim: Simulator;
const docs = new LocalDocsSource();

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, faults: { retryAfterMs: 20, midstreamAfterDeltas: 3, hangMs: 2000 } });
});
afterAll(async () => {
  await sim.close();
});

function fresh(): void {
  sim.ledger.reset();
  sim.clearCache();
  sim.setFaults({ retryAfterMs: 20, midstreamAfterDeltas: 3, hangMs: 2000 });
}

function provider(extra: Partial<AnthropicProviderOptions> = {}) {
  const retries: RetryEvent[] = [];
  const llm = createAnthropicProvider({
    apiKey: 'sk-test',
    baseURL: sim.url,
    timeoutMs: 10_000,
    retryBaseMs: 5,
    retryMaxMs: 50,
    maxRetries: 6,
    onRetry: (e) => retries.push(e),
    ...extra,
  });
  return { llm, retries };
}

/** A port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const tokens = (u: Usage): TokenCounts => ({ input: u.input, output: u.output, cacheCreation: u.cacheCreation, cacheRead: u.cacheRead });

/** Runs requirements through the in-process pipeline, a few at a time. */
async function runAll(requirements: string[], llm: ReturnType<typeof provider>['llm'], concurrency = 4): Promise<AgentResult[]> {
  const results: AgentResult[] = new Array(requirements.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requirements.length) {
        const i = next++;
        results[i] = await runPipeline({ requirement: requirements[i]! }, { llm, docs });
      }
    }),
  );
  return results;
}

describe('Anthropic provider against the simulator (real SDK)', () => {
  it('streams a valid agent end to end, reports progress, and records exactly the usage the simulator billed', async () => {
    fresh();
    const { llm, retries } = provider();
    const progress: GenerationProgress[] = [];
    const requirement = 'Review Terraform plans for public S3 buckets and overly broad IAM policies, and explain each finding';
    const result = await runPipeline({ requirement }, { llm, docs }, { onProgress: (p) => progress.push(p) });
    expect(result.report.passed).toBe(true);
    expect(result.generator).toEqual({ provider: 'anthropic', model: llm.models[result.plan.complexity.tier] });
    expect(result.attempts).toBe(1);
    expect(result.degraded).toEqual([]);
    expect(result.usage.estimated).toBe(false);
    expect(result.budget.exact).toBe(true);
    // Streamed: several text deltas, counts growing to the whole answer.
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.map((p) => p.characters)).toEqual([...progress.map((p) => p.characters)].sort((a, b) => a - b));
    expect(progress.at(-1)!.characters).toBeGreaterThan(result.content.length * 0.8);
    expect(tokens(result.usage)).toEqual(sim.ledger.tokens.realtime);
    expect(llm.stats().costUsd).toBeCloseTo(sim.ledger.costUsd.realtime, 10);
    expect(costOf(result.usage, result.generator.model)).toBeCloseTo(sim.ledger.costUsd.realtime, 10);
    expect(retries).toEqual([]);
  });

  it('reads the cached prefix from the second request on, for Sonnet and for Haiku', async () => {
    fresh();
    const { llm } = provider();
    const standard = ['Review pull requests in a Django app for SQL injection and missing tests, and fix what you find', 'Review pull requests in a FastAPI service for auth flaws and missing tests, and fix what you find'];
    const simple = ['Find typos and broken links in Markdown documentation', 'Check YAML files for indentation errors'];
    for (const group of [standard, simple]) {
      const [first, second] = await runAll(group, llm, 1);
      expect(first!.plan.complexity.tier).toBe(group === standard ? 'standard' : 'simple');
      expect(second!.plan.complexity.tier).toBe(first!.plan.complexity.tier);
      expect(first!.usage.cacheCreation, first!.generator.model).toBeGreaterThan(0);
      expect(second!.usage.cacheRead, second!.generator.model).toBeGreaterThanOrEqual(llm.prefixes().find((p) => p.model === second!.generator.model)!.tokens);
    }
  });

  it("asks for the tier's max_tokens (what its length gate can accept, under the ceiling) and reserves exactly that through its gate", async () => {
    fresh();
    const planned: PlannedRequest[] = [];
    const gate: RequestGate = { acquire: async (request) => (planned.push(request), { release: async () => undefined }) };
    const plan = planRequirement({ requirement: 'Review pull requests in a Go service for race conditions and missing tests, and suggest fixes' });
    const request = { ...plan, research: { libraries: [], tokens: 0, calls: 0, degraded: [] } };
    await provider().llm.generate(request, { gate });
    expect(planned.map((p) => p.maxTokens)).toEqual([maxTokensFor(plan.complexity.tier, 8192)]);
    expect(maxTokensFor('simple', 8192)).toBeLessThan(maxTokensFor('standard', 8192));
    expect(maxTokensFor('complex', 8192)).toBeLessThan(8192);
    // The ceiling wins, and it is what the API is sent: the answer stops there.
    fresh();
    const cut = await provider({ maxTokens: 40 }).llm.generate(request, { gate }).then(() => new OfflineFallbackError('not cut off'), (e: unknown) => e as OfflineFallbackError);
    expect(planned.at(-1)?.maxTokens).toBe(40);
    expect(cut.message).toMatch(/cut off at max_tokens \(40\)/);
    expect(cut.usage?.output).toBeLessThanOrEqual(40);
  });

  it('30% transient faults (seeded): every requirement of a 20-requirement run succeeds, every fault retried and counted', async () => {
    fresh();
    sim.setFaults({ rate: 0.3, retryAfterMs: 20, midstreamAfterDeltas: 3 });
    const { llm, retries } = provider();
    const requirements = syntheticRequirements(20, 11);
    const results = await runAll(requirements, llm, 5);
    expect(results.every((r) => r.report.passed && r.generator.provider === 'anthropic')).toBe(true);
    const faults = sim.ledger.faults;
    expect(faults.total).toBeGreaterThan(3);
    expect(Object.keys(faults.byKind).length).toBeGreaterThanOrEqual(3);
    expect(retries).toHaveLength(faults.total);
    expect(llm.stats().retries).toBe(faults.total);
    expect(retries.every((r) => r.error.transient)).toBe(true);
    // A 429's retry-after is the wait.
    for (const r of retries.filter((e) => e.error.status === 429)) expect(r.delayMs).toBeGreaterThanOrEqual(20);
    // Usage recorded per agent adds up to exactly what the simulator billed (faulted requests book nothing).
    const total = results.reduce((sum, r) => addUsage(sum, r.usage), { ...ZERO_USAGE, estimated: false });
    expect(tokens(total)).toEqual(sim.ledger.tokens.realtime);
  });

  it.each([
    ['401', 'invalid x-api-key'],
    ['400', 'Simulated invalid request'],
    ['402', 'credit balance is too low'],
  ])('a permanent %s fails at once with the provider message, without retries', async (fault, message) => {
    fresh();
    sim.setFaults({ sequence: [fault as '401'] });
    const { llm, retries } = provider();
    const error = await runPipeline({ requirement: 'Write Jest unit tests for an Express REST API' }, { llm }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toContain(message);
    expect((error as ProviderError).permanent).toBe(true);
    expect(isPermanentError(error)).toBe(true);
    expect(retries).toEqual([]);
    expect(sim.ledger.requests.byEndpoint['POST /v1/messages']).toBe(1);
  });

  it('malformed output is regenerated once with the findings, then answered offline and marked degraded', async () => {
    fresh();
    sim.setFaults({ rules: [{ match: 'case-malformed-twice', sequence: ['malformed', 'malformed'] }, { match: 'case-malformed-once', sequence: ['malformed'] }] });
    const { llm } = provider();
    const twice = await runPipeline({ requirement: 'Document the GraphQL schema of the billing service (case-malformed-twice)' }, { llm });
    expect(twice.generator.provider).toBe('offline');
    expect(twice.attempts).toBe(3);
    expect(twice.report.passed).toBe(true);
    expect(twice.degraded.join('\n')).toMatch(/anthropic output failed validation twice; the offline generator answered/);
    const once = await runPipeline({ requirement: 'Document the GraphQL schema of the billing service (case-malformed-once)' }, { llm });
    expect(once.generator.provider).toBe('anthropic');
    expect(once.attempts).toBe(2);
    expect(once.degraded).toEqual([]);
    expect(sim.ledger.messages.realtime).toBe(4);
    // The offline file's estimate stays apart; the failed attempts' bill is kept at their model.
    expect(twice.usage.estimated).toBe(true);
    expect(twice.billed?.model).toMatch(/^claude-/);
    expect(tokens(addUsage(twice.billed!.usage, once.usage))).toEqual(sim.ledger.tokens.realtime);
    expect(resultCostUsd(twice)! + resultCostUsd(once)!).toBeCloseTo(sim.ledger.costUsd.realtime, 8);
    expect(resultCostUsd(twice)).toBeGreaterThan(0);
  });

  it('a forced tier reaches the simulated model as the prompt states it: the first draft passes', async () => {
    fresh();
    const { llm } = provider();
    for (const tier of ['simple', 'complex'] as const) {
      const result = await runPipeline({ requirement: 'Review pull requests for security issues in a Node.js Express API', tier }, { llm });
      expect(result.plan.complexity.tier).toBe(tier);
      expect(result.generator.provider).toBe('anthropic');
      expect(result.attempts).toBe(1);
    }
  });

  it('an answer cut off at max_tokens is detected: one paid request, the offline generator answers, the reason says what to raise', async () => {
    fresh();
    const { llm } = provider({ maxTokens: 300 });
    const result = await runPipeline({ requirement: 'Review pull requests for security issues in a Node.js Express API' }, { llm });
    expect(sim.ledger.messages.realtime).toBe(1);
    expect(result.generator.provider).toBe('offline');
    expect(result.degraded.join('\n')).toMatch(/the answer was cut off at max_tokens \(300\): raise AF_GENERATION_MAX_TOKENS/);
    expect(tokens(result.billed!.usage)).toEqual(sim.ledger.tokens.realtime);
  });

  it('a refused connection: a caller that retries the call itself (refusedRetries 0) gets one attempt; alone, the provider retries and outlives a restart', async () => {
    const port = await freePort();
    const request = { ...planRequirement({ requirement: 'Review pull requests for security issues in a Node.js Express API' }), research: EMPTY_RESEARCH };
    const dead = provider({ baseURL: `http://127.0.0.1:${port}`, maxRetries: 4 });
    const error = await dead.llm.generate(request, { refusedRetries: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('connection');
    expect((error as ProviderError).permanent).toBe(false);
    expect(dead.retries).toEqual([]);
    expect(dead.llm.stats().requests).toBe(1);
    // Without the option (the in-process CLI), the provider's own retries carry it over an API restart.
    const restarting = provider({ baseURL: `http://127.0.0.1:${port}`, retryBaseMs: 100, retryMaxMs: 400 });
    const later = new Promise<Simulator>((resolve) => setTimeout(() => resolve(startSimulator({ port, seed: 1 })), 150));
    try {
      const result = await restarting.llm.generate(request);
      expect(result.content).toMatch(/^---\n/);
      expect(restarting.retries.length).toBeGreaterThan(0);
      expect(restarting.retries.every((r) => r.error.kind === 'connection')).toBe(true);
    } finally {
      await (await later).close();
    }
  });

  it("clamps a model answer to the policy: tools it was not granted, another model", async () => {
    fresh();
    const changes: string[][] = [];
    const { llm } = provider({ onClamp: (c) => changes.push(c) });
    // The simulator's "model" plans from the requirement alone and grants Bash for running the tests;
    // this plan withholds it and asks for another agent model.
    const plan = planRequirement({ requirement: 'Write pytest tests for a Flask API and run them with pytest', model: 'inherit' });
    expect(plan.policy.tools).toContain('Bash');
    const policy = { ...plan.policy, tools: plan.policy.tools.filter((t) => t !== 'Bash') };
    const draft = await llm.generate({ ...plan, policy, research: { libraries: [], tokens: 0, calls: 0, degraded: [] } });
    expect(draft.content).toMatch(new RegExp(`\\ntools: ${policy.tools.join(', ')}\\n`));
    expect(draft.content).toContain('\nmodel: inherit\n');
    expect(draft.content).not.toMatch(/permissionMode/);
    expect(changes.flat().join('\n')).toMatch(/tools outside the policy removed: Bash[\s\S]*model \w+ replaced by inherit/);
  });

  it('a generation that times out (after its retries) is answered by the offline generator, marked degraded', async () => {
    fresh();
    sim.setFaults({ sequence: ['hang', 'hang'], hangMs: 2000 });
    const { llm, retries } = provider({ timeoutMs: 300, maxRetries: 1 });
    const result = await runPipeline({ requirement: 'Monitor Kafka consumer lag and alert on stuck partitions' }, { llm });
    expect(result.generator.provider).toBe('offline');
    expect(result.report.passed).toBe(true);
    expect(retries.map((r) => r.error.kind)).toEqual(['timeout']);
    expect(result.degraded.join('\n')).toMatch(/anthropic: generation timed out \(2 attempts of 300 ms\); the offline generator answered/);
  });

  it('a 413 shrinks the prompt (research, then the simple tier) and says so on the result', async () => {
    fresh();
    sim.setFaults({ sequence: ['413', '413', 'ok'] });
    const { llm, retries } = provider();
    const result = await runPipeline({ requirement: 'Optimize slow PostgreSQL queries in a Django app and verify with EXPLAIN ANALYZE' }, { llm, docs });
    expect(result.research.libraries.length).toBeGreaterThan(1);
    expect(result.generator.provider).toBe('anthropic');
    expect(retries).toEqual([]);
    expect(result.degraded).toEqual([
      expect.stringMatching(/^prompt too long for claude-\S+: research reduced to \d+ of \d+ libraries$/),
      expect.stringMatching(/^prompt too long for claude-\S+: research left out$/),
    ]);
    // Nothing left to cut: a permanent failure with the provider's message.
    fresh();
    sim.setFaults({ rules: [{ match: 'always-413', then: '413' }] });
    const error = await llm.generate({ ...planRequirement({ requirement: 'Summarize changelogs (always-413)' }), research: { libraries: [], tokens: 0, calls: 0, degraded: [] } }).catch((e: unknown) => e);
    expect(isPermanentError(error)).toBe(true);
    expect((error as Error).message).toMatch(/413 request_too_large: Request exceeds/);
    expect(sim.ledger.requests.byEndpoint['POST /v1/messages']).toBe(2);
  });

  it('honours the abort signal mid-stream', async () => {
    fresh();
    const slow = await startSimulator({ tokensPerSecond: 200 });
    try {
      const llm = createAnthropicProvider({ apiKey: 'k', baseURL: slow.url, retryBaseMs: 5 });
      const controller = new AbortController();
      const plan = planRequirement({ requirement: 'Audit Kubernetes manifests for privileged containers' });
      const started = Date.now();
      const pending = llm.generate({ ...plan, research: { libraries: [], tokens: 0, calls: 0, degraded: [] } }, {
        signal: controller.signal,
        onProgress: (p) => p.characters > 100 && controller.abort(new Error('stop')),
      });
      await expect(pending).rejects.toThrow('stop');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(llm.stats().retries).toBe(0);
    } finally {
      await slow.close();
    }
  });
});
