import { z } from 'zod';

/** The Message Batches API's own limits (REFERENCE): requests per batch and bytes per create body. */
export const API_MAX_REQUESTS = 100_000;
export const API_MAX_BYTES = 256 * 1024 * 1024;

export const BatchModeOptionsSchema = z.object({
  /** Requests per Anthropic batch: a group is sent as soon as this many are waiting. */
  maxRequests: z.number().int().min(1).max(API_MAX_REQUESTS).default(1000),
  /** Create body limit, a megabyte under the API's for the JSON around the requests. */
  maxBytes: z.number().int().min(1024).max(API_MAX_BYTES).default(API_MAX_BYTES - 1024 * 1024),
  /** Collection window: a smaller group is sent once its oldest request waited this long. */
  windowMs: z.number().int().min(0).default(2000),
  /** How often the cluster-wide flush job looks at the waiting requests. */
  tickMs: z.number().int().min(50).default(1000),
  /** How often a submitted Anthropic batch is polled (most end within an hour, all within 24 h). */
  pollMs: z.number().int().min(50).default(30_000),
  /** Collector jobs (flushes, groups) one process runs at once. */
  concurrency: z.number().int().min(1).default(4),
  /** Attempts of a group job's transient failures (create, results) before its requests go realtime. */
  attempts: z.number().int().min(1).default(12),
});
export type BatchModeOptionsInput = z.input<typeof BatchModeOptionsSchema>;
export type BatchModeOptions = z.output<typeof BatchModeOptionsSchema>;

const ENV_NAMES = {
  maxRequests: 'AF_LLM_BATCH_MAX_REQUESTS',
  windowMs: 'AF_LLM_BATCH_WINDOW_MS',
  pollMs: 'AF_LLM_BATCH_POLL_MS',
} as const satisfies Partial<Record<keyof BatchModeOptions, string>>;

/** Options from the environment over `input`; a bad value names its variable. */
export function batchModeOptions(input: BatchModeOptionsInput = {}, env: NodeJS.ProcessEnv = process.env): BatchModeOptions {
  const raw: Record<string, unknown> = { ...input };
  for (const [field, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '' && raw[field] === undefined) raw[field] = Number(value);
  }
  const parsed = BatchModeOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0] as keyof typeof ENV_NAMES | undefined;
    throw new Error(`${(field && ENV_NAMES[field]) ?? `batch mode ${String(field ?? 'options')}`}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
