import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequirementsFile, listBatches, type CheckResult } from '@agent-factory/queue';
import { adminAuth, dataKeys, jobsInStages, postBatch, startTestApi, type ErrorJson, type TestApi } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { mapLimit } from '../helpers/concurrency.js';
import { leftoverItems } from '../helpers/queue-workers.js';
import { CATEGORIES, malformedInput, type Category, type MalformedInput } from './malformed.js';

// The CLI runs from dist: `npx tsc -b` first (`npm run test:abuse` does).

const SEED = 20261125;
const COUNT = 1000;
/** A CLI process costs over a CPU-second: the first case of each category, and one more mixed and huge-line case. */
const CLI_SAMPLE = [...CATEGORIES.map((_, i) => i), 142, 411];
const ALL = Array.from({ length: COUNT }, (_, seq) => seq);

type Surface = 'file' | 'cli' | 'api';
/** Cases by category, the ones any surface accepted, and refusals per surface. */
const cases = new Map<number, Category>();
const acceptedCases = new Set<number>();
const refusals: Record<Surface, number> = { file: 0, cli: 0, api: 0 };
/** Thrown errors, failed requests and 5xx answers. */
let crashes = 0;
function count(input: MalformedInput, surface: Surface, rejected: boolean): void {
  cases.set(input.seq, input.category);
  if (rejected) refusals[surface]++;
  else acceptedCases.add(input.seq);
}

/** What submit prints about a checked file, in its words, so the same expectations fit both. */
function checkText(check: CheckResult): string {
  const lines = check.errors.map((p) => `:${p.line}: ${p.message}`);
  if (check.fatal) lines.push(`:${check.fatal.line}: ${check.fatal.message}; nothing was enqueued`);
  else if (check.invalid > 0) lines.push(`${check.invalid} bad line(s), nothing was enqueued`);
  else if (check.valid === 0) lines.push('has no requirements; nothing was enqueued');
  return lines.join('\n');
}

/** Why a refusal does not say what it should, or undefined when it does. */
function wrongReport(input: MalformedInput, text: string): string | undefined {
  const missing = input.expect.lines.filter((line) => !text.includes(`:${line}: `));
  if (missing.length > 0) return `line(s) ${missing.join(', ')} not named`;
  if (!input.expect.reason.test(text)) return `no ${String(input.expect.reason)}`;
  return undefined;
}

describe('abuse: malformed batch input', () => {
  let api: TestApi;
  let dir: string;
  const failures: string[] = [];
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    api = await startTestApi();
    dir = await mkdtemp(join(tmpdir(), 'af-abuse-input-'));
  });

  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("submit's first pass (checkRequirementsFile, before any Redis) refuses all 1,000 files and names the bad line", async () => {
    await mapLimit(ALL, 4, async (seq) => {
      const input = malformedInput(SEED, seq);
      const path = join(dir, input.file.name);
      await writeFile(path, input.file.bytes);
      const tenant = input.args.includes('--tenant') ? input.args[input.args.indexOf('--tenant') + 1] : undefined;
      try {
        const check = await checkRequirementsFile(path, { tenant, maxErrors: 20 });
        const refused = check.fatal !== undefined || check.invalid > 0 || check.valid === 0;
        count(input, 'file', refused);
        const wrong = refused ? wrongReport(input, checkText(check)) : 'accepted';
        if (wrong) failures.push(`file #${seq} ${input.category}: ${wrong}\n${checkText(check)}`);
      } catch (error) {
        crashes++;
        count(input, 'file', false);
        failures.push(`file #${seq} ${input.category}: threw ${String(error)}`);
      } finally {
        await rm(path, { force: true });
      }
    });
    expect(failures).toEqual([]);
  });

  it(`submit refuses ${CLI_SAMPLE.length} of them through the CLI: exit 2, the bad line named, one line of refusal`, async () => {
    const env = { REDIS_URL: api.redis.url, AF_PREFIX: api.prefix, LOG_LEVEL: 'error' };
    await mapLimit(CLI_SAMPLE, 2, async (seq, i) => {
      const input = malformedInput(SEED, seq);
      // Every third one comes through stdin, where the format is a flag and the label is <stdin>.
      const stdin = i % 3 === 2;
      const path = join(dir, input.file.name);
      if (!stdin) await writeFile(path, input.file.bytes);
      const args = stdin ? ['submit', '-', '--format', input.file.format, ...input.args] : ['submit', path, ...input.args];
      const run = await runCli(args, { env, input: stdin ? input.file.bytes : undefined });
      if (!stdin) await rm(path, { force: true });
      const refusal = run.stderr.trimEnd().split('\n').at(-1) ?? '';
      const rejected = run.code === 2;
      count(input, 'cli', rejected);
      const wrong = !rejected
        ? `exit ${run.code}`
        : !/^agent-factory: .*nothing was enqueued/.test(refusal)
          ? `last line is not the refusal: ${refusal}`
          : !run.stderr.includes(stdin ? '<stdin>' : path)
            ? 'the input is not named'
            : wrongReport(input, run.stderr);
      if (wrong) failures.push(`cli #${seq} ${input.category} (${stdin ? 'stdin' : 'file'}): ${wrong}\n${run.stderr.slice(0, 2000)}`);
    });
    expect(failures).toEqual([]);
  }, 120_000);

  it('POST /api/batches refuses all 1,000 with 400, 413 or 415 and a JSON error, and never 5xx', async () => {
    await mapLimit(ALL, 6, async (seq) => {
      const input = malformedInput(SEED, seq);
      let response: Response;
      try {
        response = await postBatch(api.url, input.api.body, input.api.contentType);
      } catch (error) {
        crashes++;
        count(input, 'api', false);
        failures.push(`api #${seq} ${input.category}: request failed: ${String(error)}`);
        return;
      }
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500) crashes++;
      const type = response.headers.get('content-type') ?? '';
      const body = type.startsWith('application/json') ? ((await response.json()) as Partial<ErrorJson>) : { text: await response.text() };
      const rejected = response.status >= 400 && response.status < 500;
      count(input, 'api', rejected);
      const error = 'error' in body ? body.error : undefined;
      const indexes = error?.details?.map((d) => d.index);
      const wrong =
        response.status !== input.api.status
          ? `status ${response.status}, expected ${input.api.status}`
          : !error?.code || !error.message
            ? 'no JSON error with a code and a message'
            : input.api.indexes && JSON.stringify(indexes) !== JSON.stringify(input.api.indexes)
              ? `names items ${JSON.stringify(indexes)}, expected ${JSON.stringify(input.api.indexes)}`
              : undefined;
      if (wrong) failures.push(`api #${seq} ${input.category}: ${wrong}: ${JSON.stringify(body).slice(0, 300)}`);
    });
    expect(failures).toEqual([]);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    const health = await fetch(`${api.url}/healthz`);
    expect(health.status).toBe(200);
  }, 120_000);

  it('POST /api/batches refuses control characters in a name, a tenant or an id with its usual 400', async () => {
    const requirements = [{ id: 'a', requirement: 'Review Terraform plans' }];
    const bodies: [unknown, { field?: string; index?: number; reason: string }][] = [
      [{ name: 'red \u001b[31mname', requirements }, { field: 'name', reason: 'must not contain control characters (such as ESC or a line break)' }],
      [{ tenant: 'two\nlines', requirements }, { field: 'tenant', reason: 'must not contain control characters (such as ESC or a line break)' }],
      [[{ id: 'c1 \u009b31m', requirement: 'Review Terraform plans' }], { index: 0, reason: 'id must not contain control characters (such as ESC or a line break)' }],
    ];
    for (const [body, detail] of bodies) {
      const response = await postBatch(api.url, JSON.stringify(body));
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorJson).error).toMatchObject({ code: 'invalid_body', details: [detail] });
    }
  });

  it('left nothing half-enqueued: no batch, no job in any stage, no item, no key', async () => {
    const listed = await fetch(`${api.url}/api/batches?limit=1000`, { headers: adminAuth });
    expect(await listed.json()).toEqual([]);
    expect(await listBatches(api.conn, 1000)).toEqual([]);
    const jobs = await jobsInStages(api.conn);
    const items = await leftoverItems(api.conn);
    expect(jobs).toBe(0);
    expect(items).toBe(0);
    expect(await dataKeys(api.conn)).toEqual([]);

    for (const category of CATEGORIES) {
      const seqs = [...cases].filter(([, c]) => c === category).map(([seq]) => seq);
      const accepted = seqs.filter((seq) => acceptedCases.has(seq)).length;
      console.log(`malformed: ${category} ${seqs.length - accepted} rejected, ${accepted} accepted`);
    }
    const codes = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}x${n}`).join(', ');
    console.log(
      `abuse: ${cases.size} malformed inputs, ${cases.size - acceptedCases.size} rejected, ${acceptedCases.size} accepted, ${crashes} crashes, ${jobs + items} enqueued ` +
        `(refused by the file check ${refusals.file}, the CLI ${refusals.cli} of ${CLI_SAMPLE.length}, the API ${refusals.api}: ${codes})`,
    );
    expect(cases.size).toBe(COUNT);
    expect(acceptedCases.size).toBe(0);
    expect(crashes).toBe(0);
  });
});
