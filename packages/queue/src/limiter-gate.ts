import { sleep } from '@agent-factory/core';
import type { LimitAmounts } from './limiter-config.js';
import { RateLimitedError } from './limiter-error.js';
import { readLimitHeaders } from './limiter-headers.js';
import type { RateLimiter } from './limiter.js';
import type { Logger } from './logger.js';

/** A 429 without retry-after still pauses everyone this long. */
export const DEFAULT_PAUSE_MS = 1000;
/** Timers may fire a millisecond early; a slot is never used before its time. */
const SLACK_MS = 3;

/** One request as the provider plans it (structurally @agent-factory/llm's PlannedRequest). */
export interface GateRequest {
  model: string;
  inputTokens: number;
  maxTokens: number;
}

/** How the request ended (structurally @agent-factory/llm's RequestOutcome). */
export interface GateOutcome {
  usage: { input: number; output: number; cacheCreation: number; cacheRead: number };
  error?: Error & { status?: number; kind?: string; retryAfterMs?: number };
  headers?: Pick<Headers, 'get'>;
  headersAt?: number;
}

export interface LimiterPermit {
  release(outcome: GateOutcome): Promise<void>;
}

/** What the provider's `gate` option expects (@agent-factory/llm's RequestGate). */
export interface LimiterGate {
  acquire(request: GateRequest, signal?: AbortSignal): Promise<LimiterPermit>;
}

export interface GateOptions {
  /** The batch whose usage the requests add to. */
  batch?: string;
  logger?: Logger;
}

const isRateLimit = (error: GateOutcome['error']): boolean => error !== undefined && (error.status === 429 || error.kind === 'rate_limit');

/**
 * Admission and settlement of one job's requests. A reservation comes with its own start time, so
 * concurrent jobs leave one after another at the refill rate instead of polling for the same
 * tokens; a start further away than maxWaitMs, or a 429, sends the job back to the queue.
 */
export function createGate(limiter: RateLimiter, options: GateOptions = {}): LimiterGate {
  const { batch, logger } = options;

  function permit(reserved: LimitAmounts): LimiterPermit {
    return {
      async release(outcome) {
        const { usage, error } = outcome;
        const rateLimited = isRateLimit(error);
        const reports = outcome.headers ? readLimitHeaders(outcome.headers) : {};
        limiter.learn(reports);
        // A failed request used no output; its input may have counted (conservative: keep it).
        const used: LimitAmounts = error ? { requests: 1, input: reserved.input, output: 0 } : { requests: 1, input: usage.input + usage.cacheCreation, output: usage.output };
        const pauseMs = rateLimited ? Math.max(1, error?.retryAfterMs ?? DEFAULT_PAUSE_MS) : 0;
        try {
          await limiter.settle(reserved, used, {
            reports,
            ...(outcome.headersAt !== undefined ? { reportAgeMs: Date.now() - outcome.headersAt } : {}),
            pauseMs,
            ...(batch ? { usage: { batch, amounts: { requests: 1, failed: error ? 1 : 0, input: usage.input, output: usage.output, cacheCreation: usage.cacheCreation, cacheRead: usage.cacheRead } } } : {}),
          });
        } catch (caught) {
          // The answer matters more than the bookkeeping: Redis trouble must not throw it away.
          logger?.warn({ err: caught }, 'could not settle a rate-limit reservation');
        }
        if (rateLimited) throw new RateLimitedError(pauseMs, `the API answered 429: generation paused on every worker for ${pauseMs} ms (${error?.message ?? 'rate limited'})`);
      },
    };
  }

  return {
    async acquire(request, signal) {
      const wanted: LimitAmounts = { requests: 1, input: request.inputTokens, output: request.maxTokens };
      for (;;) {
        const r = await limiter.reserve(wanted);
        if (!r.granted) {
          throw new RateLimitedError(r.retryInMs, `rate limits: no slot within ${limiter.maxWaitMs} ms; back to the queue for ${r.retryInMs} ms`);
        }
        if (r.waitMs === 0) return permit(r.amounts);
        logger?.debug({ waitMs: r.waitMs, levels: r.levels }, 'waiting for a rate-limit slot');
        try {
          await sleep(r.waitMs + SLACK_MS, signal);
        } catch (aborted) {
          await limiter.refund(r.amounts).catch(() => 0);
          throw aborted;
        }
        // A 429 elsewhere while this job slept voids its slot: queue up again behind the pause.
        if ((await limiter.pausedForMs()) === 0) return permit(r.amounts);
        await limiter.refund(r.amounts);
      }
    },
  };
}
