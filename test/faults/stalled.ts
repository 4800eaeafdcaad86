// Counts the jobs BullMQ's stalled-job check moved back (a lock that expired: a dead worker, or a
// live one starved past its lock), from the queues' event streams.
import { STAGES } from '@agent-factory/queue';
import { QueueEvents } from 'bullmq';

export interface StalledWatch {
  /** Job ids in the order they were reported stalled. */
  readonly jobs: string[];
  /** When each was reported (epoch ms), in the same order. */
  readonly at: number[];
  close(): Promise<void>;
}

export async function watchStalled(port: number, prefix: string): Promise<StalledWatch> {
  const jobs: string[] = [];
  const at: number[] = [];
  const events = STAGES.map((stage) => new QueueEvents(stage, { connection: { host: '127.0.0.1', port }, prefix }));
  for (const e of events) e.on('stalled', ({ jobId }) => {
    jobs.push(jobId);
    at.push(Date.now());
  });
  await Promise.all(events.map((e) => e.waitUntilReady()));
  return { jobs, at, close: async () => void (await Promise.all(events.map((e) => e.close()))) };
}
