import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import {
  BatchNameSchema,
  checkRequirementsFile,
  countDistinct,
  discardInput,
  IdempotencyConflictError,
  IdempotencyKeySchema,
  InputFormatSchema,
  readRequirementsFile,
  RequirementsInputError,
  resumeBatch,
  ResumeRefusedError,
  submitBatch,
  SubmitCutOffError,
  TenantSchema,
  WebhookUrlSchema,
  type BatchItemInput,
  type BatchStatus,
  type CheckResult,
  type FactoryConnection,
  type InputFormat,
  type SubmitProgress,
} from '@agent-factory/queue/client';
import { inputRefusal } from '@agent-factory/sdk/batch-input';
import { checkIndexFree, writeBatchResults, type Layout } from '@agent-factory/sdk/output';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { enqueueBar, progressMode, waitStoppably, wantsBars } from '../batch-progress.js';
import { describeBatch } from '../batch-view.js';
import { asUsageError } from '../factory.js';
import { signalExitCode, whileStoppable } from '../stop-signal.js';
import { describeProblems, PRINTED_PROBLEMS } from '../input-problems.js';
import { withQueue } from '../queue-session.js';
import { UsageError } from '../usage-error.js';
import { describeResults } from '../write-results.js';
import { layoutOption, writableFolder } from '../output-options.js';
import { boundHeapGrowth } from '../streaming-heap.js';

interface SubmitFlags {
  name?: string;
  tenant?: string;
  priority: string;
  skipInvalid?: boolean;
  idempotencyKey?: string;
  format?: InputFormat;
  cache: boolean;
  wait?: boolean;
  out?: string;
  layout: Layout;
  json?: boolean;
  mode: 'realtime' | 'batch';
  resume?: string;
  webhook?: string;
}

/** Settings a resumed batch keeps from its first submit; giving one with --resume is a mistake. */
const KEPT_ON_RESUME = { name: '--name', tenant: '--tenant', priority: '--priority', idempotencyKey: '--idempotency-key', mode: '--mode', cache: '--no-cache', webhook: '--webhook' } as const;

function checkResumeFlags(command: Command): void {
  const given = Object.entries(KEPT_ON_RESUME).filter(([key]) => command.getOptionValueSource(key) === 'cli');
  if (given.length > 0) {
    throw new UsageError(`--resume continues the batch with its own name, tenant, priority, mode, cache setting and webhook: drop ${given.map(([, flag]) => flag).join(', ')}`);
  }
}

/** Counts the file's distinct requirements (another pass), for the check that the batch fits Redis. */
function distinctOf(check: CheckResult, flags: SubmitFlags): () => Promise<number> {
  return () => countDistinct(readRequirementsFile(check.path, { format: check.format, tenant: check.tenant, skipInvalid: flags.skipInvalid }));
}

/** Pass 2 into a new batch, or into the interrupted batch --resume names; what to print about it. */
async function enqueue(conn: FactoryConnection, file: string, items: AsyncIterable<BatchItemInput>, check: CheckResult, flags: SubmitFlags, priority: number, signal: AbortSignal, onProgress: (p: SubmitProgress) => void): Promise<{ status: BatchStatus; note: string }> {
  if (flags.resume) {
    const outcome = await resumeBatch(conn, flags.resume, items, { onProgress, signal, expectedInputs: check.valid, countDistinct: distinctOf(check, flags) });
    const { status } = outcome;
    if (!outcome.resumed) return { status, note: `batch ${status.id}: nothing to resume, all its ${status.inputs} requirement(s) were enqueued already (${status.state})` };
    const requeued = outcome.requeued > 0 ? `; ${outcome.requeued} whose job was lost with the stopped submit enqueued again` : '';
    return { status, note: `batch ${status.id} resumed: ${outcome.skipped} requirement(s) were enqueued already, ${outcome.added} more submitted now${requeued}; ${status.inputs} in all, ${status.total} distinct` };
  }
  const settings = {
    name: flags.name ?? (file === '-' ? 'stdin' : basename(file)),
    tenant: flags.tenant ?? check.tenant,
    priority,
    useCache: flags.cache,
    mode: flags.mode,
    ...(flags.webhook !== undefined ? { webhook: flags.webhook } : {}),
  };
  let replayed = false;
  let status: BatchStatus;
  try {
    status = await submitBatch(
      conn,
      items,
      {
        ...settings,
        idempotencyKey: flags.idempotencyKey,
        ...(flags.idempotencyKey !== undefined ? { fingerprint: await fingerprintOf(check.path, [settings, check.format, flags.skipInvalid === true]) } : {}),
        expectedInputs: check.valid,
        skippedInputs: check.invalid,
      },
      onProgress,
      { signal, onReplay: () => (replayed = true), countDistinct: distinctOf(check, flags) },
    );
  } catch (error) {
    if (error instanceof IdempotencyConflictError) throw new UsageError(`--idempotency-key: ${error.message}`);
    throw error;
  }
  if (replayed) return { status, note: `batch ${status.id}: submitted before with this idempotency key; nothing new enqueued (${status.inputs} requirement(s), ${status.total} distinct, ${status.state})` };
  return { status, note: `batch ${status.id}: ${status.inputs} requirement(s) submitted, ${status.total} distinct` };
}

/** The input's bytes and the batch's settings as one digest: the same idempotency key with another file is refused. */
async function fingerprintOf(path: string, settings: unknown): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.update(JSON.stringify(settings)).digest('base64url');
}

/** Pass 1: every line checked before anything reaches Redis; bad input ends here with exit 2. */
async function checkInput(file: string, flags: SubmitFlags): Promise<CheckResult> {
  const label = file === '-' ? '<stdin>' : file;
  let check: CheckResult;
  try {
    check = await checkRequirementsFile(file, { format: flags.format, tenant: flags.tenant, maxErrors: PRINTED_PROBLEMS });
  } catch (error) {
    if (error instanceof RequirementsInputError) throw new UsageError(error.message);
    throw error;
  }
  // On stderr, so --json output stays JSON.
  for (const notice of check.notices) process.stderr.write(`${label}: ${notice}\n`);
  const refusal = inputRefusal(label, check, flags.skipInvalid === true);
  if (refusal) {
    await discardInput(check);
    if (flags.json) process.stdout.write(`${JSON.stringify({ error: refusal, valid: check.valid, invalid: check.invalid, errors: check.errors })}\n`);
    const shown = check.fatal ? { ...check, errors: check.errors.filter((p) => p !== check.fatal), invalid: check.invalid - 1 } : check;
    process.stderr.write(describeProblems(label, shown).map((p) => `${p}\n`).join(''));
    throw new UsageError(refusal);
  }
  if (check.invalid > 0) process.stderr.write(`${describeProblems(label, check).join('\n')}\nskipping ${check.invalid} bad line(s) (--skip-invalid)\n`);
  return check;
}

function parsePriority(text: string): number {
  const priority = Number(text);
  if (!Number.isInteger(priority) || priority < 1 || priority > 10) throw new UsageError('--priority must be a whole number from 1 (most urgent) to 10');
  return priority;
}

function parseWebhook(text: string): void {
  const url = WebhookUrlSchema.safeParse(text);
  if (!url.success) throw new UsageError(`--webhook: ${url.error.issues[0]?.message ?? 'not a URL'}`);
}

/** --name, --tenant and --idempotency-key by the API's schemas, said as a usage error, not a zod dump. */
function checkTextFlags(flags: SubmitFlags): void {
  const checks: [string, string | undefined, z.ZodType][] = [
    // A blank name or tenant would show as nothing at all.
    ['--name', flags.name?.trim(), BatchNameSchema],
    ['--tenant', flags.tenant?.trim(), TenantSchema],
    ['--idempotency-key', flags.idempotencyKey, IdempotencyKeySchema],
  ];
  for (const [flag, value, schema] of checks) {
    const parsed = value === undefined ? undefined : schema.safeParse(value);
    if (parsed && !parsed.success) throw new UsageError(`${flag} ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
  }
}

/** `agent-factory submit FILE|-`: check, enqueue, and optionally wait and collect the results. */
export function registerSubmit(program: Command): void {
  program
    .command('submit')
    .description('Submit a batch of requirements (JSONL, CSV or text; a file or - for stdin) to the worker pool.')
    .argument('<file>', 'requirements file, or - for stdin')
    .option('--name <name>', 'batch name (default: the file name)')
    .option('--tenant <tenant>', 'tenant the batch belongs to (default: the one the input names, else "default")')
    .option('--priority <n>', '1 (most urgent) to 10', '5')
    .option('--skip-invalid', 'submit the good lines and skip the bad ones instead of refusing the batch')
    .option('--idempotency-key <key>', 'the same key returns the same batch instead of creating a second one')
    .option('--webhook <url>', 'POST the batch\'s final status (JSON) to this http(s) URL once it ends; retried with backoff, signed with AF_WEBHOOK_SECRET when set')
    .addOption(new Option('--format <format>', 'input format (default: from the extension, else sniffed)').choices(InputFormatSchema.options))
    .addOption(new Option('--mode <mode>', 'realtime calls, or Anthropic Message Batches (half price, results within hours)').choices(['realtime', 'batch']).default('realtime'))
    .option('--no-cache', 'generate every agent again, even when an identical requirement was generated before')
    .option('--wait', 'wait for the batch to finish, with a progress bar')
    .option('-o, --out <dir>', 'write the agent files and index.json here when the batch ends (implies --wait)')
    .addOption(layoutOption())
    .option('--json', 'print the batch status as JSON')
    .option('--resume <batch>', 'finish an interrupted batch: enqueue what FILE (the same file) holds beyond what the batch has, then seal it')
    .action(async (file: string, flags: SubmitFlags, command: Command) => {
      if (flags.resume) checkResumeFlags(command);
      boundHeapGrowth();
      const priority = parsePriority(flags.priority);
      if (flags.webhook !== undefined) parseWebhook(flags.webhook);
      checkTextFlags(flags);
      if (flags.layout === 'plugin' && !flags.out) throw new UsageError('--layout shapes the folder --out writes: add --out DIR (or collect later: agent-factory results BATCH --out DIR --layout plugin)');
      const check = await checkInput(file, flags);
      // Before submitting, not once the batch is done: an index.json there is another's (the batch is new, or --resume's).
      const out = flags.out;
      if (out) await writableFolder(out).then(() => checkIndexFree(out, flags.resume)).catch(async (error: unknown) => {
        await discardInput(check);
        throw asUsageError(error);
      });
      const bars = wantsBars(flags.json);
      try {
        await withQueue(async (conn) => {
          const bar = enqueueBar(check.valid, bars);
          let submitted: { result: { status: BatchStatus; note: string }; stoppedBy?: NodeJS.Signals };
          try {
            const items = readRequirementsFile(check.path, { format: check.format, tenant: check.tenant, skipInvalid: flags.skipInvalid });
            submitted = await whileStoppable((signal) => enqueue(conn, file, items, check, flags, priority, signal, ({ enqueued }) => bar.update(enqueued)), 'stopping after the chunks in flight (again to quit at once)');
          } catch (error) {
            if (error instanceof ResumeRefusedError) throw new UsageError(error.message);
            if (error instanceof SubmitCutOffError) throw new Error(error.forFile(file));
            // The file changed between the check and the enqueue: submitBatch has cancelled the batch (a resume leaves it interrupted).
            if (error instanceof RequirementsInputError) throw new UsageError(`${file}: ${error.message}; ${flags.resume ? `batch ${flags.resume} stays interrupted` : 'the batch was cancelled'}`);
            throw error;
          } finally {
            bar.stop();
          }
          let { status } = submitted.result;
          if (!flags.json && !submitted.stoppedBy) process.stdout.write(`${submitted.result.note}\n`);
          if (submitted.stoppedBy) {
            // Stopped while enqueuing: the batch is interrupted; say how far it got and how to finish it.
            process.stderr.write(`${status.reason ?? `batch ${status.id} is ${status.state}`}\n`);
            process.exitCode = signalExitCode(submitted.stoppedBy);
          } else if (flags.wait || flags.out) {
            const waited = await waitStoppably(conn, status.id, progressMode(flags.json));
            if (!waited) return;
            status = waited;
            if (!flags.json) process.stdout.write(`${describeBatch(status)}\n`);
            if (flags.out) {
              const summary = await writeBatchResults(conn, status.id, flags.out, { layout: flags.layout });
              (flags.json ? process.stderr : process.stdout).write(`${describeResults(summary)}\n`);
            }
            if (status.counts.failed > 0 || status.counts.cancelled > 0 || status.state === 'interrupted') process.exitCode = 1;
          } else if (!flags.json) {
            process.stdout.write(`follow it with: agent-factory status ${status.id}\n`);
          }
          if (flags.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        });
      } finally {
        await discardInput(check);
      }
    });
}
