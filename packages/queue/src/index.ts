export * from './stages.js';
export * from './config.js';
export * from './batch.js';
export * from './connection.js';
export * from './producer.js';
export * from './batches.js';
export * from './stage-worker.js';
