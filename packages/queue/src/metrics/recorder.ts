import type { RequirementRecord, RequirementRecordInput } from '@agent-factory/core';
import type { FactoryConnection } from '../connection.js';
import type { Logger } from '../logger.js';
import type { PromMetrics } from './prometheus.js';
import { builtPayload, metricsPayload, type MetricsPayload } from './store.js';

/**
 * How a worker pool records each requirement that ends: the payload goes into the finalize script
 * (so the cluster-wide aggregates count an item exactly when it ends, whatever crashes), and the
 * process's Prometheus series count it once that step succeeded.
 */
export class MetricsRecorder {
  constructor(
    private readonly conn: FactoryConnection,
    readonly prom?: PromMetrics,
  ) {}

  /** The payload for finalizeItem; undefined (the item still ends, uncounted) if the record is malformed. */
  payload(input: RequirementRecordInput, logger: Logger): MetricsPayload | undefined {
    try {
      return metricsPayload(this.conn.config.prefix, input, { retentionSeconds: this.conn.config.retentionSeconds });
    } catch (error) {
      logger.warn({ err: error }, 'could not build the requirement\'s metrics record');
      return undefined;
    }
  }

  /** The payload of a record built whole by this code (builtPayload: not parsed again). */
  built(record: RequirementRecord): MetricsPayload {
    return builtPayload(this.conn.config.prefix, record, { retentionSeconds: this.conn.config.retentionSeconds });
  }

  /** Counts a record this process finalized in its Prometheus series. */
  observe(record: RequirementRecord | undefined): void {
    if (record) this.prom?.observe(record);
  }
}
