import type { FactoryConnection } from './connection.js';
import { StageJobDataSchema } from './queues.js';

/** One generation in flight, as its job's progress shows it. */
export interface Generating {
  /** The requirement key. */
  key: string;
  attempt: 1 | 2;
  characters: number;
  outputTokens: number;
}

/** Active generate jobs looked at per call: every worker's concurrency together rarely passes this. */
const ACTIVE_SCAN = 500;

/**
 * The batch's generations in flight with what the model has written so far (the progress the
 * provider's stream reports to the job; see processors/generate.ts).
 */
export async function generatingNow(conn: FactoryConnection, batchId: string): Promise<Generating[]> {
  const jobs = await conn.queues.generate.getActive(0, ACTIVE_SCAN - 1);
  const out: Generating[] = [];
  for (const job of jobs) {
    const data = StageJobDataSchema.safeParse(job.data);
    if (!data.success || data.data.b !== batchId) continue;
    const p = job.progress as { characters?: unknown; outputTokens?: unknown } | number;
    const characters = typeof p === 'object' && typeof p.characters === 'number' ? p.characters : 0;
    const outputTokens = typeof p === 'object' && typeof p.outputTokens === 'number' ? p.outputTokens : 0;
    out.push({ key: data.data.k, attempt: data.data.a ?? 1, characters, outputTokens });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key) || a.attempt - b.attempt);
}
