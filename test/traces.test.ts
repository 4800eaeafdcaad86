// Traces (DESIGN: OpenTelemetry through bullmq-otel when OTEL_EXPORTER_OTLP_ENDPOINT is set): one trace
// per requirement across its four stage jobs, run by worker processes, exported over OTLP/HTTP to a
// collector (here a local HTTP server that keeps what it is sent).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { batchResults, connect, memberId, submitBatch } from '@agent-factory/queue';
import { startSimulator, type Simulator } from '@agent-factory/sim';
import { startTracing, tracesExport, type Tracing } from '@agent-factory/telemetry';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { quiet } from './helpers/factory-rig.js';
import { inputIds, spawnWorker, waitForBatch, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: OtlpValue }[];
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}
interface Received extends OtlpSpan {
  service: string;
  resource: Record<string, string | number | boolean | undefined>;
  attrs: Record<string, string | number | boolean | undefined>;
}

let redis: TestRedis;
let collector: Server;
let endpoint: string;
const spans: Received[] = [];
const requests: { path: string; contentType: string | undefined; bytes: number }[] = [];

function value(v: OtlpValue): string | number | boolean | undefined {
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue);
}
function attributes(list: { key: string; value: OtlpValue }[] = []): Received['attrs'] {
  return Object.fromEntries(list.map((a) => [a.key, value(a.value)]));
}

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = req.headers['content-type'];
      requests.push({ path: req.url ?? '', contentType, bytes: body.length });
      // JSON exports are read; protobuf ones only counted.
      if (contentType === 'application/json') {
        const sent = JSON.parse(body.toString('utf8')) as OtlpExport;
        for (const rs of sent.resourceSpans) {
          const resource = attributes(rs.resource.attributes);
          const service = String(resource['service.name']);
          for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ ...span, service, resource, attrs: attributes(span.attributes) });
        }
      }
      res.setHeader('content-type', contentType ?? 'application/json');
      res.end(contentType === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => collector?.close(r));
  await redis?.stop();
});

it('two traced worker processes make one trace per requirement: its four stage jobs and its generation, exported over OTLP', async () => {
  const prefix = testPrefix();
  // JSON, which this collector reads (protobuf is the default: tested below).
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '200' };
  const workers: WorkerProcess[] = [];
  // The second one with resource attributes of its own (the SDK's variable).
  for (let i = 0; i < 2; i++) workers.push(await spawnWorker({ REDIS_URL: redis.url, AF_PREFIX: prefix, ...otel, ...(i === 1 ? { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging' } : {}) }));
  // The producer traces too: its addBulk span must not become the parent of every requirement it adds.
  const tracing = (await startTracing({ traces: tracesExport(otel), serviceName: 'test-producer' })) as Tracing;
  const conn = await connect({ redisUrl: redis.url, prefix }, { logger: quiet, telemetry: tracing.telemetry });
  try {
    const requirements = ['Review Terraform plans for public S3 buckets', 'Write Playwright tests for a checkout page', 'Tune slow PostgreSQL queries', 'Triage flaky CI jobs in GitHub Actions', 'Document a REST API with OpenAPI', 'Audit a React app for accessibility'];
    const batch = await submitBatch(conn, requirements.map((requirement, i) => ({ id: `r${i}`, requirement })));
    const done = await waitForBatch(conn, batch.id, 30_000);
    expect(done.counts.completed).toBe(requirements.length);
    // A graceful stop exports what the batch processor still holds.
    for (const w of workers) expect(await w.stop()).toBe(0);
    await tracing.shutdown();

    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.path === '/v1/traces' && r.contentType === 'application/json')).toBe(true);
    const stageSpans = spans.filter((s) => s.attrs['agent_factory.batch.id'] === batch.id);
    expect(new Set(stageSpans.map((s) => s.service))).toEqual(new Set(['agent-factory-worker']));
    // Which worker ran each job: its host and process on every span; the second worker's own attribute on its spans only.
    expect(new Set(stageSpans.map((s) => s.resource['process.pid']))).toEqual(new Set(workers.map((w) => w.child.pid)));
    expect(stageSpans.every((s) => typeof s.resource['host.name'] === 'string' && s.resource['service.version'] === '0.1.0')).toBe(true);
    expect(stageSpans.filter((s) => s.resource['deployment.environment.name'] === 'staging').every((s) => s.resource['process.pid'] === workers[1]!.child.pid)).toBe(true);
    expect(stageSpans.some((s) => s.resource['deployment.environment.name'] === 'staging')).toBe(true);
    const byRequirement = new Map<string, Received[]>();
    for (const s of stageSpans) {
      const key = String(s.attrs['agent_factory.requirement.key']);
      byRequirement.set(key, [...(byRequirement.get(key) ?? []), s]);
    }
    expect(byRequirement.size).toBe(requirements.length);
    const traces = new Set<string>();
    for (const [key, own] of byRequirement) {
      expect(new Set(own.map((s) => s.attrs['agent_factory.stage'])), key).toEqual(new Set(['analyze', 'research', 'generate', 'validate']));
      const traceIds = new Set(own.map((s) => s.traceId));
      expect(traceIds.size, `${key}: its stages in one trace`).toBe(1);
      const traceId = own[0]!.traceId;
      traces.add(traceId);
      const trace = spans.filter((s) => s.traceId === traceId);
      // The trace starts at the requirement's analyze job, not at the producer's addBulk.
      const analyze = own.find((s) => s.attrs['agent_factory.stage'] === 'analyze')!;
      expect(analyze.parentSpanId ?? '', `${key}: analyze is the root`).toBe('');
      // Each later stage hangs below the earlier one (its job added by the earlier job's span).
      const ids = new Set(trace.map((s) => s.spanId));
      expect(trace.filter((s) => s !== analyze).every((s) => s.parentSpanId && ids.has(s.parentSpanId)), `${key}: one tree`).toBe(true);
      const generate = own.find((s) => s.attrs['agent_factory.stage'] === 'generate')!;
      const chat = trace.find((s) => s.name === 'chat offline');
      expect(chat?.parentSpanId, `${key}: the generation under its generate job`).toBe(generate.spanId);
      expect(chat?.attrs).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'offline', 'gen_ai.response.model': 'offline', 'agent_factory.generator': 'offline' });
      expect(Number(chat?.attrs['gen_ai.usage.output_tokens'])).toBeGreaterThan(100);
    }
    expect(traces.size, 'one trace per requirement').toBe(requirements.length);
    // Each result names its trace.
    const keyOf = new Map(await inputIds(conn, batch.id));
    for await (const r of batchResults(conn, batch.id)) {
      const own = byRequirement.get(keyOf.get(r.inputId)!)!;
      expect(r.traceId, r.inputId).toBe(own[0]!.traceId);
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await conn.close();
  }
}, 60_000);

it('in Message Batches mode a requirement\'s trace goes on through its Message Batch: a span for the wait, then validate, or the realtime fallback when its request expired', async () => {
  const prefix = testPrefix();
  let sim: Simulator | undefined;
  const workers: WorkerProcess[] = [];
  const conn = await connect({ redisUrl: redis.url, prefix }, { logger: quiet });
  try {
    const requirements = ['Review Terraform plans for public S3 buckets', 'Write Playwright tests for a checkout page', 'Tune slow PostgreSQL queries'];
    const batch = await submitBatch(conn, requirements.map((requirement, i) => ({ id: `r${i}`, requirement })), { mode: 'batch' });
    const keys = new Map(await inputIds(conn, batch.id));
    const expired = keys.get('r1')!;
    // The request of r1 expires in its Message Batch (custom ids name batch, requirement and attempt).
    sim = await startSimulator({ batch: { processingMs: 300, expire: [memberId({ b: batch.id, k: expired, a: 1 })] } });
    const env = {
      REDIS_URL: redis.url, AF_PREFIX: prefix, AF_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: sim.url,
      AF_LLM_BATCH_WINDOW_MS: '200', AF_LLM_BATCH_POLL_MS: '100', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    workers.push(await spawnWorker(env));
    const done = await waitForBatch(conn, batch.id, 30_000);
    expect(done.counts.completed).toBe(requirements.length);
    expect(await workers[0]!.stop()).toBe(0);

    for (const [input, key] of keys) {
      const own = spans.filter((s) => s.attrs['agent_factory.requirement.key'] === key && s.attrs['agent_factory.batch.id'] === batch.id);
      const traceIds = new Set(own.map((s) => s.traceId));
      expect(traceIds.size, `${input}: every stage job in one trace`).toBe(1);
      const trace = spans.filter((s) => s.traceId === own[0]!.traceId);
      const stages = own.map((s) => s.attrs['agent_factory.stage']);
      const wait = trace.find((s) => s.name !== 'chat offline' && s.attrs['agent_factory.message_batch.outcome'] !== undefined);
      const generate = own.find((s) => s.attrs['agent_factory.stage'] === 'generate')!;
      // The wait hangs below the generate job that registered the request, and the next job below the wait.
      expect(wait?.parentSpanId, input).toBe(generate.spanId);
      expect(trace.some((s) => s.parentSpanId === wait?.spanId && s.name.startsWith('add ')), input).toBe(true);
      if (key === expired) {
        expect(wait?.attrs['agent_factory.message_batch.outcome']).toBe('expired');
        // Then a realtime generation in the same trace.
        expect(stages.filter((s) => s === 'generate')).toHaveLength(2);
        expect(trace.some((s) => s.name.startsWith('chat claude-') && s.attrs['gen_ai.provider.name'] === 'anthropic')).toBe(true);
      } else {
        expect(wait?.name).toMatch(/^chat claude-/);
        expect(wait?.attrs).toMatchObject({ 'agent_factory.message_batch.outcome': 'succeeded', 'gen_ai.provider.name': 'anthropic' });
        expect(Number(wait?.attrs['gen_ai.usage.output_tokens'])).toBeGreaterThan(100);
      }
      expect(stages).toContain('validate');
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await conn.close();
    await sim?.close();
  }
}, 60_000);

it('a worker sends protobuf unless told otherwise (OTLP\'s default), and none with OTEL_SDK_DISABLED=true', async () => {
  const prefix = testPrefix();
  const conn = await connect({ redisUrl: redis.url, prefix }, { logger: quiet });
  const workers: WorkerProcess[] = [];
  try {
    const env = { REDIS_URL: redis.url, AF_PREFIX: prefix, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/proto`, OTEL_BSP_SCHEDULE_DELAY: '200' };
    workers.push(await spawnWorker(env), await spawnWorker({ ...env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/disabled`, OTEL_SDK_DISABLED: 'true' }));
    const batch = await submitBatch(conn, ['Tune slow PostgreSQL queries', 'Audit a React app for accessibility', 'Write Playwright tests'].map((requirement, i) => ({ id: `p${i}`, requirement })));
    await waitForBatch(conn, batch.id, 30_000);
    for (const w of workers) expect(await w.stop()).toBe(0);
    const proto = requests.filter((r) => r.path === '/proto');
    expect(proto.length).toBeGreaterThan(0);
    expect(proto.every((r) => r.contentType === 'application/x-protobuf' && r.bytes > 0)).toBe(true);
    expect(requests.filter((r) => r.path === '/disabled')).toEqual([]);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await conn.close();
  }
}, 60_000);

it('`agent-factory worker` refuses an OTLP endpoint that is no http(s) URL, or gRPC, before connecting: exit 2, naming the variable', async () => {
  const refusals = [
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', {}, 'must be an http(s) URL (an OTLP/HTTP collector), not "collector:4318"'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'grpc://collector:4317', {}, 'must be an http(s) URL (an OTLP/HTTP collector), not "grpc://collector:4317"'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' }, 'must be http/protobuf or http/json (OTLP over HTTP, the collector\'s port 4318), not "grpc"'],
  ] as const;
  for (const [name, value, others, message] of refusals) {
    const run = await runCli(['worker'], { env: { ...others, [name]: value, REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${name} ${message}`);
  }
});
