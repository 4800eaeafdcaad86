// Case 3: the Messages API (the simulator, real SDK, real worker processes) answers 30% of requests
// with a transient fault — 429, 529, 500, a reset, a mid-stream error — and always refuses the
// requirements that carry a marker word with a permanent error.
import { submitBatch, type BatchItemInput, type FactoryConnection } from '@agent-factory/queue';
import { startSimulator, type FaultKind, type Simulator } from '@agent-factory/sim';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countBatch, expectSound, peekBatch, report, settle } from './counts.js';
import { syntheticInputs, type Fleet } from './fleet.js';
import { startProviderLedger, type ProviderLedger } from './provider-ledger.js';
import { sleep } from '../helpers/queue-workers.js';
import { startRedis } from '../helpers/redis.js';
import { startRig, type FaultRig } from './rig.js';

const TRANSIENT = 200;
/** Permanent kinds, each on 3 requirements marked with its own word; 413 is left out: it shrinks the prompt and asks again by design. */
const PERMANENT: { kind: FaultKind; marker: string; message: string }[] = [
  { kind: '400', marker: 'Zorblax', message: 'Anthropic API 400 invalid_request_error: Simulated invalid request: the request was rejected (injected fault).' },
  { kind: '402', marker: 'Quindle', message: 'Anthropic API 402 billing_error: Your credit balance is too low to access the Anthropic API.' },
  { kind: '403', marker: 'Flumox', message: 'Anthropic API 403 permission_error: Your API key does not have permission to use the specified resource.' },
  { kind: '404', marker: 'Vrendle', message: 'Anthropic API 404 not_found_error: The requested resource could not be found.' },
];
const EACH = 3;

let rig: FaultRig;
let sim: Simulator;
let ledger: ProviderLedger;
let conn: FactoryConnection;
let fleet: Fleet;

/** `… (case 12)` is input r12; `… (case P3)` is input p3. */
const inputOf = (requirement: string): string | undefined => {
  const m = /\(case (P?)(\d+)\)/.exec(requirement);
  return m ? `${m[1] ? 'p' : 'r'}${m[2]}` : undefined;
};

beforeAll(async () => {
  const redis = await startRedis({ appendonly: false });
  sim = await startSimulator({ seed: 11, ttftMs: 2 });
  ledger = await startProviderLedger(sim.url, inputOf);
  rig = await startRig(redis, {
    AF_PROVIDER: 'anthropic',
    ANTHROPIC_API_KEY: 'sim-key',
    ANTHROPIC_BASE_URL: ledger.url,
    AF_GENERATION_TIMEOUT_MS: '10000',
    // Locks are not what this case tests: long enough that a worker starved of CPU on a loaded
    // machine keeps them (an expired lock runs a generation twice, which the ledger would count).
    AF_LOCK_MS: '10000',
  });
  ({ fleet, conn } = rig);
  await fleet.grow(2);
}, 60_000);

afterAll(() => rig?.stop(() => ledger?.close(), () => sim?.close()));

it('30% transient provider faults: every requirement completes; permanent faults fail at once with the provider\'s message, asked once', async () => {
  sim.setFaults({
    rate: 0.3,
    retryAfterMs: 50,
    midstreamAfterDeltas: 3,
    rules: PERMANENT.map(({ kind, marker }) => ({ match: marker, then: kind })),
  });
  const permanent: BatchItemInput[] = PERMANENT.flatMap(({ marker }, k) =>
    Array.from({ length: EACH }, (_, j) => ({ id: `p${k * EACH + j}`, requirement: `Review ${marker} deployment manifests for risky privileges (case P${k * EACH + j}).` })),
  );
  const started = Date.now();
  const batch = await submitBatch(conn, [...permanent, ...syntheticInputs(TRANSIENT, 303)], { useCache: false });
  // Transient faults never fail an item, so the failed count reaching the permanent ones says they all ended.
  let permanentMs: number | undefined;
  while (Date.now() - started < 120_000) {
    const s = await peekBatch(conn, batch.id);
    if (permanentMs === undefined && (s?.counts.failed ?? 0) >= permanent.length) permanentMs = Date.now() - started;
    if (s?.finishedAt !== undefined) break;
    await sleep(50);
  }
  await settle(conn, batch.id, 1000);
  const batchMs = Date.now() - started;
  const counts = await countBatch(conn, batch.id, ledger.replies());
  const faults = sim.ledger.faults;
  const requestsOf = (id: string): number => ledger.byKey.get(id)?.requests ?? 0;
  report('30% transient provider faults + permanent faults', counts, {
    'provider requests': [...ledger.byKey.values()].reduce((n, t) => n + t.requests, 0),
    'injected faults': `${faults.total} ${JSON.stringify(faults.byKind)}`,
    'requests per permanent requirement': [...new Set(permanent.map((p) => requestsOf(p.id)))].join('/'),
    'permanent failures all in after': `${permanentMs ?? '—'} ms`,
    'batch time': `${batchMs} ms`,
  });
  expectSound(counts);
  expect(counts.submitted).toBe(TRANSIENT + permanent.length);
  expect(counts.completed).toBe(TRANSIENT);
  expect(counts.failed).toBe(permanent.length);
  // Every transient requirement was written by the model (no offline stand-in) and passed the gates.
  for (const { id } of syntheticInputs(TRANSIENT, 303)) expect(counts.byInput.get(id), id).toMatchObject({ s: 'completed', p: true, m: expect.stringMatching(/^anthropic\//) });
  // Permanent: the provider's own message is the reason, and the ledger shows one request each.
  PERMANENT.forEach(({ message }, k) => {
    for (let j = 0; j < EACH; j++) {
      const id = `p${k * EACH + j}`;
      expect(counts.byInput.get(id), id).toMatchObject({ s: 'failed', e: `generate: ${message}` });
      expect(requestsOf(id), id).toBe(1);
    }
  });
  // The faults were the mix asked for, and every request the simulator saw went through the ledger.
  expect(faults.total).toBeGreaterThan(TRANSIENT * 0.2);
  for (const kind of ['429', '529', '500', 'reset', 'midstream'] as const) expect(faults.byKind[kind] ?? 0, kind).toBeGreaterThan(0);
  expect([...ledger.byKey.values()].reduce((n, t) => n + t.requests, 0)).toBe(sim.ledger.requests.byEndpoint['POST /v1/messages']);
  expect(ledger.byKey.has('?')).toBe(false);
  expect(permanentMs).toBeDefined();
}, 180_000);
