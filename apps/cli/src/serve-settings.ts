import { logLevelFromEnv, observabilityFromEnv, queueConfigFromEnv, type LogLevel, type ObservabilitySettings, type QueueConfig } from '@agent-factory/queue';
import { z } from 'zod';
import { parseTrustProxy } from './trust-proxy.js';
import { UsageError } from './usage-error.js';

const SIZE = /^(\d+)\s*(b|kb|mb)?$/i;
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `16mb` → bytes (the text already matched SIZE). */
function bytesOf(text: string): number {
  const [, n = '0', unit = 'b'] = SIZE.exec(text) ?? [];
  return Number(n) * (UNIT_BYTES[unit.toLowerCase()] ?? 1);
}

/** parseTrustProxy's reason as the schema's issue, so the message names AF_TRUST_PROXY. */
function trustProxyOf(text: string, ctx: z.RefinementCtx): boolean | number | string {
  try {
    return parseTrustProxy(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
}

/** An empty variable (`AF_API_TOKEN=`) means unset, not an empty token. */
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

const ServeEnvSchema = z.object({
  AF_HOST: optionalText,
  AF_API_TOKEN: optionalText,
  AF_VIEWER_TOKEN: optionalText,
  /** The largest JSON body POST /api/batches takes: bytes, or with kb / mb (a 10,000-requirement batch is ~1.5 MB). */
  AF_BODY_LIMIT: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(SIZE, 'a size like 1048576, 512kb or 16mb').transform(bytesOf).optional()),
  /** Behind a reverse proxy: which hops to trust for the client's address (express's trust proxy: true, a hop count, or addresses/subnets). */
  AF_TRUST_PROXY: z.preprocess((v) => (v === '' ? undefined : v), z.string().transform(trustProxyOf).optional()),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  const issue = result.error?.issues[0];
  // The variable's name when the value came from the environment ("AF_BODY_LIMIT: a size like …").
  if (!result.success) throw new UsageError(`${issue?.path.length ? issue.path.join('.') : what}: ${issue?.message ?? 'invalid'}`);
  return result.data;
}

export interface ServeSettings {
  env: z.output<typeof ServeEnvSchema>;
  level: LogLevel;
  queueConfig: QueueConfig;
  observability: ObservabilitySettings;
}

/**
 * Everything `serve` reads from the environment, checked: `serve` itself, and `up` and `start` before
 * they start anything (a server child that refused its settings would fail only after Redis and the workers started).
 */
export function serveSettings(processEnv: NodeJS.ProcessEnv): ServeSettings {
  const env = parse(ServeEnvSchema, processEnv, 'environment');
  try {
    return { env, level: logLevelFromEnv(processEnv), queueConfig: queueConfigFromEnv(processEnv), observability: observabilityFromEnv(processEnv) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
