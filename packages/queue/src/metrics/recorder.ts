import type { RequirementRecordInput } from '@agent-factory/core';
import type { FactoryConnection } from '../connection.js';
import type { Logger } from '../logger.js';
import type { PromMetrics } from './prometheus.js';
import { recordRequirement } from './store.js';

/**
 * Where a worker pool records each requirement that ends: the cluster-wide aggregates in Redis and,
 * when the process serves /metrics, its Prometheus series. Best effort: a metrics outage is logged,
 * never a reason to fail or repeat an agent that is already stored.
 */
export class MetricsRecorder {
  constructor(
    private readonly conn: FactoryConnection,
    readonly prom?: PromMetrics,
  ) {}

  async record(input: RequirementRecordInput, logger: Logger): Promise<void> {
    try {
      const record = await recordRequirement(this.conn.redis, this.conn.config.prefix, input, { retentionSeconds: this.conn.config.retentionSeconds });
      this.prom?.observe(record);
    } catch (error) {
      logger.warn({ err: error }, 'could not record the requirement\'s metrics');
    }
  }
}
