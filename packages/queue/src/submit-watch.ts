import type { FactoryConnection } from './connection.js';
import { sweepAbandonedSubmits } from './interruption.js';
import type { Logger } from './logger.js';
import { every, type Periodic } from './periodic.js';

/**
 * Every worker process looks, twice per lease, for batches whose producer died mid-submit and marks
 * them interrupted, so they finish (and expire after the retention) even when nobody reads their
 * status. One sorted-set range per round; a batch is checked only once its lease deadline passed.
 */
export function watchSubmissions(conn: FactoryConnection, logger: Logger): Periodic {
  return every(Math.max(250, Math.floor(conn.config.submitLeaseMs / 2)), () =>
    sweepAbandonedSubmits(conn).then(
      (batches) => {
        for (const batch of batches) logger.warn({ batch }, 'batch interrupted: its producer stopped before it had enqueued everything');
      },
      (error: unknown) => logger.debug({ err: error }, 'could not check for interrupted submissions'),
    ),
  );
}
