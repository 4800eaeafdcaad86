import { basename } from 'node:path';
import {
  BatchNameSchema,
  checkRequirementsArray,
  checkRequirementsFile,
  countDistinct,
  discardInput,
  InputFormatSchema,
  readRequirementsFile,
  RequirementsInputError,
  resumeBatch,
  ResumeRefusedError,
  submitBatch,
  TenantSchema,
  WebhookUrlSchema,
  type BatchItemInput,
  type BatchStatus,
  type BatchSubmission,
  type FactoryConnection,
  type ResumeOutcome,
} from '@agent-factory/queue';
import { z } from 'zod';
import { checked } from '../checked.js';
import { FactoryInputError } from '../errors.js';
import { inputRefusal } from './refusal.js';

/** Problems quoted in a refusal before the rest is only counted. */
const QUOTED_PROBLEMS = 10;
const SKIP_HINT = 'set skipInvalid';

/**
 * A batch: requirements in memory (strings, or objects like the JSONL lines), or a requirements
 * file (JSONL, CSV or text) that is streamed, so it may hold 100,000 lines.
 */
export const BatchInputSchema = z.union([
  z.array(z.union([z.string(), z.looseObject({ requirement: z.string() })])).min(1, 'no requirements'),
  z.strictObject({
    file: z.string().min(1).refine((f) => f !== '-', 'a file path (stdin is not read here)'),
    format: InputFormatSchema.optional(),
  }),
]);
export type BatchInput = z.input<typeof BatchInputSchema>;

export const SubmitOptionsSchema = z.strictObject({
  /** Default: the file's name, else the batch id. */
  name: BatchNameSchema.optional(),
  tenant: TenantSchema.optional(),
  /** 1 (most urgent) to 10; default 5. */
  priority: z.number().int().min(1).max(10).optional(),
  /** The same key returns the same batch instead of a second one. */
  idempotencyKey: z.string().optional(),
  /** Reuse an identical requirement's finished agent (default true). */
  useCache: z.boolean().optional(),
  /** `batch`: Anthropic Message Batches, half price, results within hours. */
  mode: z.enum(['realtime', 'batch']).optional(),
  /** Submit the good requirements and skip the bad ones instead of refusing the batch. */
  skipInvalid: z.boolean().optional(),
  /** POSTed the batch's final status once it ends (an http(s) URL). */
  webhook: WebhookUrlSchema.optional(),
});
export type SubmitOptions = z.input<typeof SubmitOptionsSchema>;

function refused(reason: string, problems: string[], invalid: number): FactoryInputError {
  const quoted = problems.slice(0, QUOTED_PROBLEMS);
  const rest = invalid - quoted.length;
  return new FactoryInputError([reason, ...quoted, ...(rest > 0 ? [`… and ${rest} more`] : [])].join('\n'));
}

/**
 * What is done with a checked batch: submit it, or resume an interrupted one with it. `countDistinct`
 * counts a file's distinct requirements (another pass), for the check that the batch fits Redis.
 */
type Enqueue<R> = (items: AsyncIterable<BatchItemInput> | Iterable<BatchItemInput>, submission: BatchSubmission, countDistinct?: () => Promise<number>) => Promise<R>;

async function fromFile<R>(file: string, format: z.infer<typeof InputFormatSchema> | undefined, options: z.output<typeof SubmitOptionsSchema>, enqueue: Enqueue<R>): Promise<R> {
  const { skipInvalid = false, tenant, ...submission } = options;
  let check;
  try {
    check = await checkRequirementsFile(file, { format, tenant, maxErrors: QUOTED_PROBLEMS });
  } catch (error) {
    throw error instanceof RequirementsInputError ? new FactoryInputError(error.message) : error;
  }
  try {
    const refusal = inputRefusal(file, check, skipInvalid, SKIP_HINT);
    if (refusal) throw refused(refusal, check.fatal ? [] : check.errors.map((p) => `${file}:${p.line}: ${p.message}`), check.invalid);
    const read = (): AsyncGenerator<BatchItemInput> => readRequirementsFile(check.path, { format: check.format, tenant: check.tenant, skipInvalid });
    return await enqueue(read(), { name: basename(file), ...submission, tenant: tenant ?? check.tenant, expectedInputs: check.valid, skippedInputs: check.invalid, via: 'sdk' }, () => countDistinct(read()));
  } catch (error) {
    // The file changed between the check and the enqueue: submitBatch has cancelled the batch (a resume leaves it interrupted).
    if (error instanceof RequirementsInputError) throw new FactoryInputError(`${file}: ${error.message}; the batch was cancelled`);
    throw error;
  } finally {
    await discardInput(check);
  }
}

function fromArray<R>(requirements: unknown[], options: z.output<typeof SubmitOptionsSchema>, enqueue: Enqueue<R>): Promise<R> {
  const { skipInvalid = false, tenant, ...submission } = options;
  let check;
  try {
    check = checkRequirementsArray(requirements, { tenant, maxErrors: QUOTED_PROBLEMS });
  } catch (error) {
    throw error instanceof RequirementsInputError ? new FactoryInputError(error.message) : error;
  }
  if (check.invalid > 0 && !skipInvalid) {
    const reason = `${check.invalid} bad requirement(s), nothing was enqueued (${check.valid > 0 ? `fix them, or ${SKIP_HINT} to submit the ${check.valid} good one(s)` : 'none is good'})`;
    throw refused(reason, check.errors.map((p) => `requirements[${p.index}]: ${p.message}`), check.invalid);
  }
  if (check.valid === 0) throw new FactoryInputError('no valid requirements; nothing was enqueued');
  return enqueue(check.items, { ...submission, tenant: tenant ?? check.tenant, expectedInputs: check.valid, skippedInputs: check.invalid, via: 'sdk' });
}

/** Checks a batch the way `submitRequirements` does, then hands its items to `enqueue`. */
function checkedBatch<R>(input: BatchInput, options: SubmitOptions, enqueue: Enqueue<R>): Promise<R> {
  const batch = checked(BatchInputSchema, input, 'requirements');
  const parsedOptions = checked(SubmitOptionsSchema, options, 'options');
  return Array.isArray(batch) ? fromArray(batch, parsedOptions, enqueue) : fromFile(batch.file, batch.format, parsedOptions, enqueue);
}

/** Checks a batch (every bad requirement found before anything is enqueued) and submits it to the workers. */
export function submitRequirements(conn: FactoryConnection, input: BatchInput, options: SubmitOptions = {}): Promise<BatchStatus> {
  return checkedBatch(input, options, (items, submission, distinct) => submitBatch(conn, items, submission, undefined, distinct ? { countDistinct: distinct } : {}));
}

/**
 * Finishes an interrupted batch with the same requirements it was submitted with (checked the same
 * way): the ones it holds are skipped after a check that they match, the rest are enqueued.
 */
export async function resumeRequirements(conn: FactoryConnection, batchId: string, input: BatchInput, options: SubmitOptions = {}): Promise<ResumeOutcome> {
  try {
    return await checkedBatch(input, options, (items, submission, distinct) =>
      resumeBatch(conn, batchId, items, { ...(submission.expectedInputs === undefined ? {} : { expectedInputs: submission.expectedInputs }), ...(distinct ? { countDistinct: distinct } : {}) }));
  } catch (error) {
    throw error instanceof ResumeRefusedError ? new FactoryInputError(error.message) : error;
  }
}
