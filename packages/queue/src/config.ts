import { z } from 'zod';
import { settingsFromEnv } from './env-settings.js';
import { parseRateLimit, RateLimitsSchema } from './limiter-config.js';
import { checkRedisUrl } from './redis-url.js';
import { STAGES, type Stage } from './stages.js';

/** Default jobs in flight per stage in one worker process: CPU stages high, LLM-bound generate by provider limits. */
export const DEFAULT_CONCURRENCY: Record<Stage, number> = { analyze: 50, research: 20, generate: 16, validate: 50 };

/** Parses `analyze=50,generate=16` (AF_CONCURRENCY, --concurrency); unknown stages and non-positive numbers are errors. */
export function parseConcurrency(text: string): Partial<Record<Stage, number>> {
  const out: Partial<Record<Stage, number>> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [stage, value] = pair.split('=').map((s) => s.trim());
    const parsed = z.enum(STAGES).safeParse(stage);
    const n = Number(value);
    if (!parsed.success || !Number.isInteger(n) || n < 1) throw new Error(`"${pair}" is not stage=N (stages: ${STAGES.join(', ')})`);
    out[parsed.data] = n;
  }
  return out;
}

/** The latest completed jobs per stage queue, for Bull Board to show what just ran: by default (AF_KEEP_COMPLETED sets the count). */
export const KEEP_COMPLETED = { count: 1000, age: 24 * 3600 };

/** The key prefix when AF_PREFIX is not set. */
export const DEFAULT_PREFIX = '{af}';

export const QueueConfigSchema = z.object({
  /** Redis or Redis Cluster (`redis://h1:7000,h2:7001` lists cluster seed nodes). */
  redisUrl: z.string().default('redis://127.0.0.1:6379'),
  /** Key prefix; a hash tag so every key of the factory lands in one Redis Cluster slot. */
  prefix: z.string().regex(/^\{[^{}:]+\}$/, 'must be a hash tag like {af} (one Redis Cluster slot for every key)').default(DEFAULT_PREFIX),
  /** How long a finished batch and its results stay in Redis. */
  retentionSeconds: z.number().int().positive().default(7 * 24 * 3600),
  /** Attempts per stage job for transient errors. */
  attempts: z.number().int().min(1).max(50).default(5),
  /** First retry delay; it doubles per attempt, with jitter. */
  backoffMs: z.number().int().min(1).default(1000),
  /**
   * How long a worker's lock on a job lasts (renewed at half). A dead worker's jobs run again
   * elsewhere after about this long, so it bounds recovery time; CPU stages never block that long.
   */
  lockMs: z.number().int().min(500).default(15_000),
  /** The provider's limits for the whole cluster (`rpm=50,itpm=30000,otpm=8000`), kept by the generate stage. */
  rateLimit: RateLimitsSchema.optional(),
  /**
   * How long a producer's lease on the batch it is enqueuing lasts without renewal (renewed every
   * fifth of it). A producer that dies leaves its batch `interrupted` after about this long, so it
   * bounds how soon a crash shows; an event-loop stall or Redis pause longer than this interrupts a
   * live producer (it then stops and says how to resume).
   */
  submitLeaseMs: z.number().int().min(500).default(15_000),
  /**
   * Completed jobs each stage queue keeps for Bull Board (the newest, for at most a day). Each carries
   * what its stage worked from (plan, research, draft: a few KB), so this bounds that history's memory.
   */
  keepCompleted: z.number().int().min(0).max(100_000).default(KEEP_COMPLETED.count),
  /**
   * How long an item's claim on generating its agent lives without renewal (agent-claim.ts). Waiters
   * renew it while its item can still deliver, so it bounds only a claim nobody waits on: one a cancelled
   * batch left, or one a claimer outlived while still queued (an identical requirement then generates
   * too). Two days: a Message Batch's 24 h and a long generate queue behind it.
   */
  agentClaimMs: z.number().int().min(1000).default(48 * 3600_000),
  /** Signs every batch webhook (HMAC-SHA256 of the body, `x-agent-factory-signature: sha256=…`) so its receiver can tell it came from here. */
  webhookSecret: z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 24`)').optional(),
});
export type QueueConfig = z.infer<typeof QueueConfigSchema>;

/** Which environment variable sets each field. */
const ENV_NAMES = {
  redisUrl: 'REDIS_URL',
  prefix: 'AF_PREFIX',
  retentionSeconds: 'AF_RETENTION_SECONDS',
  attempts: 'AF_ATTEMPTS',
  backoffMs: 'AF_BACKOFF_MS',
  lockMs: 'AF_LOCK_MS',
  rateLimit: 'AF_RATE_LIMIT',
  submitLeaseMs: 'AF_SUBMIT_LEASE_MS',
  keepCompleted: 'AF_KEEP_COMPLETED',
  agentClaimMs: 'AF_AGENT_CLAIM_MS',
  webhookSecret: 'AF_WEBHOOK_SECRET',
} as const satisfies Record<keyof QueueConfig, string>;

/** The queue configuration from the environment (see ENV_NAMES); a bad value names its variable. */
export function queueConfigFromEnv(env: NodeJS.ProcessEnv = process.env): QueueConfig {
  return settingsFromEnv(QueueConfigSchema, ENV_NAMES, env, (field, value) => {
    if (field === 'rateLimit') return parseRateLimit(value);
    if (field === 'redisUrl') return checkRedisUrl(value);
    return field === 'prefix' || field === 'webhookSecret' ? value : Number(value);
  });
}
