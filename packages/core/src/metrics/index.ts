export * from './record.js';
export * from './histogram.js';
export * from './error-class.js';
export * from './aggregate.js';
export * from './report.js';
export * from './alerts.js';
