import { pino } from 'pino';
import { describeError } from '../errors.js';
import { LOG_FORMATS, LOG_LEVELS, logLevelFromEnv } from '../logger.js';
import { ALERT_ENV, METRICS_PORT_ENV, observabilityFromEnv, type AlertSettings } from '../metrics/settings.js';
import { fail, figure, pass, warn, type DoctorCheck } from './check.js';

const NAMES = { logging: 'logging', metrics: 'metrics', alerts: 'alert thresholds' };

/** LOG_LEVEL and LOG_FORMAT as createLogger reads them: unset means info; alerts are logged as warnings. */
export function loggingCheck(env: NodeJS.ProcessEnv): DoctorCheck {
  let level: string;
  try {
    level = logLevelFromEnv(env);
  } catch (error) {
    return fail(NAMES.logging, `${describeError(error)}: every command refuses it (exit 2)`, `set LOG_LEVEL to one of ${LOG_LEVELS.join(', ')}`);
  }
  try {
    observabilityFromEnv({ LOG_FORMAT: env['LOG_FORMAT'] });
  } catch (error) {
    return fail(NAMES.logging, `${describeError(error)}: workers refuse to start (exit 2)`, `set LOG_FORMAT to ${LOG_FORMATS.join(' or ')}, or unset it (pretty at a terminal, else JSON)`);
  }
  if (level === 'silent') return warn(NAMES.logging, 'LOG_LEVEL silent: workers and the server log nothing, alerts included', 'set LOG_LEVEL=info');
  if ((pino.levels.values[level] ?? 0) > (pino.levels.values['warn'] ?? 0)) return warn(NAMES.logging, `LOG_LEVEL ${level}: alert warnings are dropped`, 'set LOG_LEVEL=warn or info');
  return pass(NAMES.logging, `LOG_LEVEL ${level}${(env['LOG_LEVEL'] ?? '') === '' ? ' (default)' : ''}`);
}

/** AF_METRICS_PORT alone, so a bad alert variable is reported by its own check. */
export function metricsCheck(env: NodeJS.ProcessEnv): DoctorCheck {
  let port: number | undefined;
  try {
    port = observabilityFromEnv({ [METRICS_PORT_ENV]: env[METRICS_PORT_ENV] }).metricsPort;
  } catch (error) {
    return fail(NAMES.metrics, describeError(error), `set ${METRICS_PORT_ENV} to a port number (0 picks a free one)`);
  }
  if (port === undefined) return warn(NAMES.metrics, `${METRICS_PORT_ENV} unset: workers serve no /metrics`, `set ${METRICS_PORT_ENV}=9464 (one port per worker on a machine; 0 picks a free one)`);
  return pass(NAMES.metrics, `workers serve /metrics on ${port === 0 ? 'a free port' : `port ${port}`}`);
}

/** The alert thresholds (defaults unless set) and where a crossing goes. */
export function alertsCheck(env: NodeJS.ProcessEnv): DoctorCheck {
  // The alert variables alone: the metrics port and LOG_FORMAT have their own checks.
  const alertEnv = Object.fromEntries(Object.values(ALERT_ENV).map((name) => [name, env[name]]));
  let alerts: AlertSettings;
  try {
    alerts = observabilityFromEnv(alertEnv).alerts;
  } catch (error) {
    return fail(NAMES.alerts, describeError(error), `fix the variable it names (${Object.values(ALERT_ENV).join(', ')})`);
  }
  const detail = `error rate ${alerts.errorRate * 100}%, p95 processing ${figure(alerts.p95Ms / 1000)} s, ${figure(alerts.tokensPerAgent)} tokens per agent, over ${alerts.windowMinutes} min`;
  // Only the host: webhook URLs often carry their secret in the path.
  if (alerts.webhook) return pass(NAMES.alerts, `${detail}; webhook on ${new URL(alerts.webhook).host}`);
  return warn(NAMES.alerts, `${detail}; ${ALERT_ENV.webhook} unset: alerts only go to the log`, `set ${ALERT_ENV.webhook}=https://… to be told when one is crossed`);
}
