import { spawn, type ChildProcess } from 'node:child_process';
import { batchKeys, decodeResult, getBatch, type BatchStatus, type FactoryConnection, type StoredResult } from '@agent-factory/queue';
import { CLI, testEnv } from './cli.js';

/** A `agent-factory worker` child process with its log lines. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Every stdout line so far (pino JSON). */
  lines: string[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `node apps/cli/bin/agent-factory.js worker` and waits until it logs that it is ready. */
export async function spawnWorker(env: NodeJS.ProcessEnv, args: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', ...args], { env: testEnv({ LOG_LEVEL: 'info', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line.includes('"worker ready"')) resolve();
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)));
  });
  await ready;
  return {
    child,
    lines,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls a batch until it finished; Redis errors (a restart) are waited out. */
export async function waitForBatch(conn: FactoryConnection, batchId: string, timeoutMs: number, until: (s: BatchStatus) => boolean = (s) => s.finishedAt !== undefined): Promise<BatchStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: BatchStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await getBatch(conn, batchId);
      if (last && until(last)) return last;
    } catch {
      // Redis is restarting: try again.
    }
    await sleep(50);
  }
  throw new Error(`batch ${batchId} not done after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** Every stored result of a batch, by requirement key (straight from Redis, to count records). */
export async function storedResults(conn: FactoryConnection, batchId: string): Promise<Map<string, StoredResult>> {
  const hash = await conn.redis.hgetallBuffer(batchKeys(conn.config.prefix, batchId).results);
  return new Map(Object.entries(hash).map(([k, v]) => [k, decodeResult(v)]));
}

/** The batch's ids list: input id → requirement key, in input order. */
export async function inputIds(conn: FactoryConnection, batchId: string): Promise<[string, string][]> {
  const entries = await conn.redis.lrange(batchKeys(conn.config.prefix, batchId).ids, 0, -1);
  return entries.map((e) => e.split('\t') as [string, string]);
}

/** Keys of unfinished items left under a prefix (should be none once a batch ended). */
export async function leftoverItems(conn: FactoryConnection): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await conn.redis.scan(cursor, 'MATCH', `${conn.config.prefix}:item:*`, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}
