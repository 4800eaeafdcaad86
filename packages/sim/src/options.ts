import { z } from 'zod';

/**
 * Faults the simulator can inject into `POST /v1/messages`:
 * - `'429'` rate_limit_error with `retry-after` / `retry-after-ms` (from `faults.retryAfterMs`)
 * - `'500'` api_error, `'504'` timeout_error, `'529'` overloaded_error (transient)
 * - `'400'` invalid_request_error, `'401'` authentication_error, `'402'` billing_error,
 *   `'403'` permission_error, `'404'` not_found_error, `'413'` request_too_large (permanent)
 * - `'reset'` the socket is destroyed before any byte of the reply (SDK: APIConnectionError)
 * - `'hang'` nothing is sent for `faults.hangMs`, then the socket is destroyed (client timeouts)
 * - `'midstream'` a stream sends `faults.midstreamAfterDeltas` deltas, then `event: error`
 *   (overloaded_error) and ends; on a non-streaming request it is a 529
 * - `'malformed'` a normal 200 reply whose agent file has no opening frontmatter fence
 */
export const FAULT_KINDS = ['429', '500', '504', '529', '400', '401', '402', '403', '404', '413', 'reset', 'hang', 'midstream', 'malformed'] as const;
export const FaultKindSchema = z.enum(FAULT_KINDS);
export type FaultKind = z.infer<typeof FaultKindSchema>;
/** One step of a deterministic plan: a fault, or `'ok'` for a normal reply. */
export const FaultStepSchema = z.union([FaultKindSchema, z.literal('ok')]);
export type FaultStep = z.infer<typeof FaultStepSchema>;

/** The kinds `faults.rate` draws from unless `faults.kinds` says otherwise: the transient ones. */
export const DEFAULT_RANDOM_FAULTS: readonly FaultKind[] = ['429', '529', '500', 'reset', 'midstream'];

/**
 * Which faults `POST /v1/messages` gets. Only requests past auth and body validation take part;
 * they are numbered 0, 1, 2 … in arrival order. For each request the first of these that applies wins:
 * 1. `rules`: the first rule whose `match` occurs in the last user message (e.g. a marker in the
 *    requirement) answers with its own `sequence` (own counter), then `then` forever;
 * 2. `sequence[n]` for request number n;
 * 3. `at[n]` for request number n;
 * 4. with probability `rate`, a kind drawn from `kinds` (weights) with the seeded RNG;
 * otherwise the reply is normal.
 */
export const FaultPlanSchema = z.object({
  /** Share (0..1) of requests that get a random fault, drawn with the seeded RNG. */
  rate: z.number().min(0).max(1).default(0),
  /** Relative weights of the kinds `rate` draws; default: 429, 529, 500, reset and midstream equally. */
  kinds: z.partialRecord(FaultKindSchema, z.number().min(0)).optional(),
  /** Request n (0-based) gets `sequence[n]`, e.g. `['529', 'ok', 'reset']`. */
  sequence: z.array(FaultStepSchema).default([]),
  /** Request n gets `at[n]`, e.g. `{ 3: '429' }`. */
  at: z.record(z.string().regex(/^\d+$/), FaultStepSchema).default({}),
  /** Content-addressed plans, immune to the arrival order of concurrent workers. */
  rules: z
    .array(
      z.object({
        /** Substring of the last user message (the requirement) that selects this rule. */
        match: z.string().min(1),
        /** Steps for the 1st, 2nd … matching request. */
        sequence: z.array(FaultStepSchema).default([]),
        /** The step for every matching request after the sequence. */
        then: FaultStepSchema.default('ok'),
      }),
    )
    .default([]),
  /** Retry delay advertised by injected 429s, in ms (`retry-after-ms`; `retry-after` rounds up to seconds). */
  retryAfterMs: z.number().int().min(0).default(1000),
  /** Text deltas sent before an injected mid-stream `event: error`. */
  midstreamAfterDeltas: z.number().int().min(0).default(3),
  /** How long a `'hang'` holds the request before destroying the socket, in ms. */
  hangMs: z.number().int().min(0).default(60_000),
});
export type FaultPlanInput = z.input<typeof FaultPlanSchema>;
export type FaultPlan = z.output<typeof FaultPlanSchema>;

/** A share (0..1, drawn with the seeded RNG) or an explicit list of custom_ids. */
const SelectionSchema = z.union([z.number().min(0).max(1), z.array(z.string())]);
export type Selection = z.infer<typeof SelectionSchema>;

const PerMinute = z.number().int().positive().optional();

export const SimulatorOptionsSchema = z.object({
  /** Address to bind. */
  host: z.string().min(1).default('127.0.0.1'),
  /** Port to listen on; 0 picks a free one. */
  port: z.number().int().min(0).max(65535).default(0),
  /** When set, only this key is accepted; otherwise any non-empty `x-api-key` (or Bearer token). */
  apiKey: z.string().min(1).optional(),
  /** Milliseconds before the first text token (a JSON reply waits it too). */
  ttftMs: z.number().min(0).default(0),
  /**
   * Output tokens per second after the first token; unset = no pacing. A reply takes
   * ttftMs + output_tokens / tokensPerSecond seconds, streamed or not.
   */
  tokensPerSecond: z.number().positive().optional(),
  /**
   * Per-minute limits, as token buckets refilled continuously (capacity = the limit), like the API.
   * ITPM counts uncached input plus cache writes (cache reads are free); OTPM reserves max_tokens
   * at admission and refunds the unused part when the reply ends. Unset = unlimited (and no
   * `anthropic-ratelimit-*` headers for that limit).
   */
  limits: z.object({ rpm: PerMinute, itpm: PerMinute, otpm: PerMinute }).default({}),
  promptCache: z
    .object({
      /** Emulate prompt caching (cache_control prefixes); off = every token is input. */
      enabled: z.boolean().default(true),
      /** Minimum cacheable prefix for every model, overriding the per-model table (1,024 / 2,048 / 4,096). */
      minTokens: z.number().int().min(0).optional(),
    })
    .prefault({}),
  /** Fault injection; see FaultPlanSchema. Replaceable at run time with `sim.setFaults`. */
  faults: FaultPlanSchema.prefault({}),
  batch: z
    .object({
      /** Milliseconds from create until a batch ends (`processing_status: ended`). */
      processingMs: z.number().int().min(0).default(1000),
      /** Items that end `expired` (the share is drawn per item with the seeded RNG). */
      expire: SelectionSchema.optional(),
      /** Items that end `errored` (api_error). */
      error: SelectionSchema.optional(),
      /** Items whose answer is malformed (see the `'malformed'` fault). */
      malformed: SelectionSchema.optional(),
      /** Most requests per batch (the API's is 100,000); lower it to test splitting. */
      maxRequests: z.number().int().positive().default(100_000),
      /** Largest create body in bytes (the API's is 256 MB). */
      maxBytes: z.number().int().positive().default(256 * 1024 * 1024),
    })
    .prefault({}),
  /** Seed of every random choice (faults, batch selections, result order, ids stay random). */
  seed: z.number().int().default(1),
  /** Clock in ms (limits, cache TTLs, batch times); tests may pass a fake one. Default Date.now. */
  now: z.custom<() => number>((v) => typeof v === 'function', 'now must be a function').optional(),
});
export type SimulatorOptions = z.input<typeof SimulatorOptionsSchema>;
export type ResolvedOptions = z.output<typeof SimulatorOptionsSchema>;

/** Options with defaults applied; a bad value throws with the field's path. */
export function resolveOptions(input: SimulatorOptions = {}): ResolvedOptions {
  const result = SimulatorOptionsSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TypeError(`simulator option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Parses a fault plan the same way the options do. */
export function resolveFaultPlan(input: FaultPlanInput = {}): FaultPlan {
  const result = FaultPlanSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TypeError(`fault plan ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
