import type { Alert } from '@agent-factory/core';
import { z } from 'zod';
import type { FactoryConnection } from '../connection.js';
import { metricsKeys } from './keys.js';

/** Every alert the checker knows, so /metrics can say 0 for the ones not crossed. */
export const ALERT_NAMES = ['error_rate', 'p95_time', 'tokens_per_agent'] as const satisfies readonly Alert['name'][];

const AlertStateSchema = z.object({
  /** When the last check ran (ISO). */
  checkedAt: z.string(),
  windowMinutes: z.number(),
  thresholds: z.object({ errorRate: z.number(), p95Ms: z.number(), tokensPerAgent: z.number() }),
  /** The thresholds crossed at that check, each since it was first seen crossed (ISO). */
  active: z.array(z.object({ name: z.enum(ALERT_NAMES), value: z.number(), threshold: z.number(), message: z.string(), since: z.string() })),
});
/** What the alert checker saw last: shown by the dashboard and /metrics (af_alert_active). */
export type AlertState = z.infer<typeof AlertStateSchema>;

/** Stores the last check's outcome; it expires after `ttlMs`, so a stopped checker's state is not shown as current. */
export async function saveAlertState(conn: FactoryConnection, state: AlertState, ttlMs: number): Promise<void> {
  await conn.redis.set(metricsKeys(conn.config.prefix).alertState, JSON.stringify(state), 'PX', Math.max(1000, Math.round(ttlMs)));
}

/** The last check's outcome, or undefined when no server checked lately (none runs `serve`, or all stopped). */
export async function loadAlertState(conn: FactoryConnection): Promise<AlertState | undefined> {
  const raw = await conn.redis.get(metricsKeys(conn.config.prefix).alertState);
  if (raw === null) return undefined;
  try {
    return AlertStateSchema.parse(JSON.parse(raw));
  } catch {
    return undefined; // written by another version: better nothing than a wrong banner
  }
}
