export * from './settings.js';
export { metricsKeys } from './keys.js';
export { builtPayload, metricsPayload, type MetricsPayload, parseSince, windowFields, batchFields, recentRecords } from './store.js';
export { foldMetrics } from './fold.js';
export { metricsReport, type ReportRequest } from './report.js';
export { PromMetrics, type PauseSource } from './prometheus.js';
export { MetricsRecorder } from './recorder.js';
export { watchAlerts, type AlertWatch, type AlertWatchOptions } from './alerts.js';
export { ALERT_NAMES, loadAlertState, type AlertState } from './alert-state.js';
