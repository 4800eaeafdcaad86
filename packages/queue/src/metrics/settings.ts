import { LOG_FORMATS } from '../logger.js';
import { z } from 'zod';

/**
 * Observability settings from the environment: where a worker serves /metrics, and the alert
 * thresholds the server checks every minute over a sliding window.
 */
export const ObservabilitySettingsSchema = z.object({
  /** A worker's /metrics port; unset = no listener (several workers on one machine need distinct ports; 0 picks a free one). */
  metricsPort: z.number().int().min(0).max(65535).optional(),
  /** Where that listener binds; 0.0.0.0 for a Prometheus in another container. */
  metricsHost: z.string().min(1).default('127.0.0.1'),
  alerts: z.object({
    /** Failed ÷ finished requirements over the window. */
    errorRate: z.number().min(0).max(1).default(0.05),
    /**
     * p95 of a requirement's processing time, ms: its stages' run time, queue waits excluded (a
     * batch queued at once waits about its own duration), for requirements generated in realtime or
     * offline. Queue depth and wait are on /metrics (af_queue_jobs, af_stage_wait_seconds).
     */
    p95Ms: z.number().int().positive().default(120_000),
    /** Mean tokens per agent (every kind). */
    tokensPerAgent: z.number().int().positive().default(8000),
    /** The window the thresholds are checked over, minutes. */
    windowMinutes: z.number().int().min(1).max(1440).default(5),
    /** POSTed a JSON alert on each crossing, when set. */
    webhook: z.url().optional(),
  }),
});
export type ObservabilitySettings = z.infer<typeof ObservabilitySettingsSchema>;
export type AlertSettings = ObservabilitySettings['alerts'];

/** Which environment variable sets each alert field. */
export const ALERT_ENV = {
  errorRate: 'AF_ALERT_ERROR_RATE',
  p95Ms: 'AF_ALERT_P95_MS',
  tokensPerAgent: 'AF_ALERT_TOKENS_PER_AGENT',
  windowMinutes: 'AF_ALERT_WINDOW_MINUTES',
  webhook: 'AF_ALERT_WEBHOOK',
} as const satisfies Record<keyof AlertSettings, string>;

export const METRICS_PORT_ENV = 'AF_METRICS_PORT';
export const METRICS_HOST_ENV = 'AF_METRICS_HOST';

/** The settings from the environment; a bad value names its variable. */
export function observabilityFromEnv(env: NodeJS.ProcessEnv = process.env): ObservabilitySettings {
  // Read by createLogger; checked here, where every process's observability settings are checked at start.
  const format = env['LOG_FORMAT'];
  if (format && !(LOG_FORMATS as readonly string[]).includes(format)) throw new Error(`LOG_FORMAT: "${format}" is neither ${LOG_FORMATS.join(' nor ')}`);
  const alerts: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(ALERT_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') alerts[field] = field === 'webhook' ? value : Number(value);
  }
  const port = env[METRICS_PORT_ENV];
  const host = env[METRICS_HOST_ENV];
  const result = ObservabilitySettingsSchema.safeParse({ alerts, ...(port !== undefined && port !== '' ? { metricsPort: Number(port) } : {}), ...(host ? { metricsHost: host } : {}) });
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path ?? [];
    const name = path[0] === 'metricsPort' ? METRICS_PORT_ENV : path[0] === 'metricsHost' ? METRICS_HOST_ENV : (ALERT_ENV[path[1] as keyof AlertSettings] ?? 'environment');
    throw new Error(`${name}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
