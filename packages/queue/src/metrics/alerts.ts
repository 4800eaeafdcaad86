import { crossedThresholds, type Alert } from '@agent-factory/core';
import type { FactoryConnection } from '../connection.js';
import type { Logger } from '../logger.js';
import { postBody } from '../post-body.js';
import { saveAlertState } from './alert-state.js';
import { metricsKeys } from './keys.js';
import { metricsReport } from './report.js';
import type { AlertSettings } from './settings.js';

export interface AlertWatch {
  /** Checks once now (the timer does it every intervalMs); resolves with the alerts this call announced. */
  check(): Promise<Alert[]>;
  stop(): void;
}

export interface AlertWatchOptions {
  logger: Logger;
  /** Default one minute. */
  intervalMs?: number;
}

const WEBHOOK_TIMEOUT_MS = 5000;

/**
 * Checks the alert thresholds over the sliding window every interval. A crossing is announced once
 * (a warning in the log and, when configured, a POST to the webhook) until the value falls back
 * below its threshold; the state lives in Redis, so several servers announce it once between them.
 */
export function watchAlerts(conn: FactoryConnection, settings: AlertSettings, options: AlertWatchOptions): AlertWatch {
  const key = metricsKeys(conn.config.prefix).alerts;
  const { logger } = options;
  const post = async (alert: Alert): Promise<void> => {
    if (!settings.webhook) return;
    try {
      const body = JSON.stringify({ source: 'agent-factory', prefix: conn.config.prefix, at: new Date().toISOString(), ...alert });
      const res = await postBody(settings.webhook, body, { timeoutMs: WEBHOOK_TIMEOUT_MS });
      if (!res.ok) logger.warn({ alert: alert.name, status: res.status }, 'alert webhook answered an error');
    } catch (error) {
      logger.warn({ alert: alert.name, err: error }, 'alert webhook failed');
    }
  };
  const intervalMs = options.intervalMs ?? 60_000;
  const check = async (): Promise<Alert[]> => {
    const report = await metricsReport(conn, { sinceMs: settings.windowMinutes * 60_000, examples: false });
    if (!report) return [];
    const crossed = crossedThresholds(report, settings);
    const names = new Set(crossed.map((a) => a.name));
    const announced: Alert[] = [];
    for (const alert of crossed) {
      // HSETNX: the first process to see the crossing announces it.
      if ((await conn.redis.hsetnx(key, alert.name, String(Date.now()))) === 0) continue;
      logger.warn({ alert: alert.name, value: alert.value, threshold: alert.threshold }, `alert: ${alert.message}`);
      await post(alert);
      announced.push(alert);
    }
    const cleared = (await conn.redis.hkeys(key)).filter((name) => !names.has(name as Alert['name']));
    if (cleared.length > 0) {
      await conn.redis.hdel(key, ...cleared);
      logger.info({ alerts: cleared }, 'alert cleared');
    }
    // What the dashboard and /metrics show: kept a few intervals, so it lapses when no server checks.
    const since = crossed.length > 0 ? await conn.redis.hmget(key, ...crossed.map((a) => a.name)) : [];
    await saveAlertState(conn, {
      checkedAt: new Date().toISOString(),
      windowMinutes: settings.windowMinutes,
      thresholds: { errorRate: settings.errorRate, p95Ms: settings.p95Ms, tokensPerAgent: settings.tokensPerAgent },
      active: crossed.map((alert, i) => ({ ...alert, since: new Date(Number(since[i] ?? Date.now())).toISOString() })),
    }, 3 * intervalMs);
    return announced;
  };
  const timer = setInterval(() => void check().catch((error: unknown) => logger.warn({ err: error }, 'alert check failed')), intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
