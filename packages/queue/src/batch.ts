import { labelSchema } from '@agent-factory/core';
import { z } from 'zod';

/**
 * `interrupted`: its producer stopped before it had enqueued all its input (killed, machine gone,
 * Ctrl-C). What was enqueued still runs; `submit FILE --resume BATCH` enqueues the rest and the batch
 * runs (and completes) again.
 */
export const BATCH_STATES = ['running', 'completed', 'cancelled', 'interrupted'] as const;
export const ITEM_STATES = ['pending', 'completed', 'failed', 'cancelled'] as const;

/** What `status` shows for a batch. Counts are per distinct requirement; `inputs` counts input ids. */
export const BatchStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  tenant: z.string(),
  priority: z.number().int(),
  state: z.enum(BATCH_STATES),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  /** Input lines accepted (ids); identical requirements share one item. */
  inputs: z.number().int().nonnegative(),
  /** Distinct requirements (items) enqueued. */
  total: z.number().int().nonnegative(),
  /** Input lines the producer meant to enqueue (its checked file's), when it said. */
  expected: z.number().int().nonnegative().optional(),
  /** Bad input lines left out with --skip-invalid (their line numbers and reasons were printed by that submit). */
  skipped: z.number().int().positive().optional(),
  /** Why the batch is interrupted and what to do about it, in words (state `interrupted` only). */
  reason: z.string().optional(),
  counts: z.object({
    pending: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    cancelled: z.number().int().nonnegative(),
  }),
  /** Its webhook, when it has one (the URL is not shown: it may hold a secret): pending until posted after the batch ends. */
  webhook: z
    .object({
      state: z.enum(['pending', 'delivered', 'failed']),
      /** When it was delivered or given up. */
      at: z.string().optional(),
      /** Why it failed, after its last attempt. */
      error: z.string().optional(),
    })
    .optional(),
});
export type BatchStatus = z.infer<typeof BatchStatusSchema>;

/** One input id's outcome, as `results` writes it into index.json (and the API returns it). */
export const ItemResultSchema = z.object({
  inputId: z.string(),
  state: z.enum(ITEM_STATES),
  /** The agent's name and whole file, when completed. */
  name: z.string().optional(),
  content: z.string().optional(),
  gates: z.record(z.string(), z.number()).optional(),
  passed: z.boolean().optional(),
  tier: z.string().optional(),
  /** Complexity score 1–10. */
  complexity: z.number().int().optional(),
  tokens: z.number().int().optional(),
  /** Milliseconds per stage. */
  timings: z.record(z.string(), z.number()).optional(),
  /** Tokens by kind (estimated for the offline generator) and what they cost in US dollars; on a failed or cancelled item, what its drafts were billed before it ended. */
  usage: z.object({ input: z.number().int(), output: z.number().int(), cacheCreation: z.number().int(), cacheRead: z.number().int() }).optional(),
  costUsd: z.number().optional(),
  degraded: z.array(z.string()).optional(),
  /** The worker process that generated the file (host:pid): shows which workers shared a batch. */
  worker: z.string().optional(),
  /** Answered from the agents cache: an identical requirement's agent, generated earlier (worker, timings and cost are that generation's). */
  cached: z.boolean().optional(),
  /** Why it failed or was cancelled, in words a user can act on. */
  error: z.string().optional(),
  /** The OpenTelemetry trace of its stages, when its worker traced it: where to look when it was slow or failed. */
  traceId: z.string().optional(),
});
export type ItemResult = z.infer<typeof ItemResultSchema>;

/** A batch's webhook: an http(s) URL, POSTed once when the batch ends (completed, cancelled or interrupted). */
export const WebhookUrlSchema = z.url({ protocol: /^https?$/, error: 'the webhook must be an http:// or https:// URL' }).max(2000);

/** An idempotency key (`--idempotency-key`, the API's header or field): printable ASCII without spaces. */
export const IdempotencyKeySchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** A batch's name (`--name`, the API's `name`): 1–200 characters, no control characters. */
export const BatchNameSchema = labelSchema(200);

/** A batch's tenant (`--tenant`, the API's `tenant`, an input record's): 1–100 characters, no control characters. */
export const TenantSchema = labelSchema(100);

/** A batch as a producer submits it. */
export interface BatchSubmission {
  name?: string;
  tenant?: string;
  /** 1 (most urgent) to 10; default 5. Within a priority, batches are interleaved. */
  priority?: number;
  /** The same key returns the same batch instead of creating a second one. */
  idempotencyKey?: string;
  /**
   * A digest of what the request held (its requirements and settings): the same idempotency key with
   * another fingerprint is refused (IdempotencyConflictError) instead of answering the first batch.
   */
  fingerprint?: string;
  /** Reuse an identical requirement's finished agent from the cache (default true). */
  useCache?: boolean;
  /** `batch`: generation goes through Anthropic Message Batches (half price, slower); default realtime. */
  mode?: 'realtime' | 'batch';
  /** How many inputs the producer means to enqueue (its checked file's count), quoted if it is interrupted. */
  expectedInputs?: number;
  /** Bad inputs the producer left out (--skip-invalid), kept with the batch so `status` still says so. */
  skippedInputs?: number;
  /** Who submits it, so an interrupted batch says how to resume it there (default `cli`). */
  via?: SubmitVia;
  /** POSTed the batch's final status once it ends (see webhooks/deliver.ts). */
  webhook?: string;
}

/** Where a batch was submitted from: the CLI (a file), the REST API (a request body), or the SDK. */
export const SUBMIT_VIAS = ['cli', 'api', 'sdk'] as const;
export type SubmitVia = (typeof SUBMIT_VIAS)[number];
