import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LocalRedis, RedisAfterStop } from './local-redis.js';
import { redisAnswers, redisCommand } from './redis-probe.js';

/**
 * The bookkeeping of a redis-server that `up` or `start` started in a data folder, so another run in
 * the same folder joins it instead of starting a second server on the same AOF: `server.json` names
 * it, and `users/<pid>` each run that joined it.
 */
const ServerSchema = z.object({
  /** The redis-server's process, and its port on 127.0.0.1. */
  pid: z.number().int().positive(),
  port: z.number().int().positive(),
  /** The run that started it, while it runs: it stops the server when it leaves, unless a run that joined is still there. */
  starter: z.number().int().positive().optional(),
});
type Server = z.infer<typeof ServerSchema>;

const serverFile = (dir: string): string => join(dir, 'server.json');
const usersDir = (dir: string): string => join(dir, 'users');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function recordServer(dir: string, server: Server): void {
  writeFileSync(serverFile(dir), `${JSON.stringify(server)}\n`);
}

/**
 * Records the server this run started; the returned stop stops it (`child.stop`) unless a run that
 * joined is still there, which then stops it when it leaves last: this run lets go of it
 * (`child.release`), or its pipes would keep this process from exiting until then.
 */
export function startedServer(dir: string, server: { pid: number; port: number }, child: { stop(): Promise<void>; release(): void }): () => Promise<RedisAfterStop> {
  recordServer(dir, { ...server, starter: process.pid });
  return async () => {
    if (liveUsers(dir).length > 0) {
      recordServer(dir, server);
      child.release();
      return 'left running';
    }
    await child.stop();
    rmSync(serverFile(dir), { force: true });
    return 'stopped';
  };
}

/** The server the folder's file names, when its process is alive and answers PING; a stale file is ignored. */
export async function runningServer(dir: string): Promise<Server | undefined> {
  let server: Server;
  try {
    server = ServerSchema.parse(JSON.parse(readFileSync(serverFile(dir), 'utf8')));
  } catch {
    return undefined;
  }
  return alive(server.pid) && (await redisAnswers(server.port)) ? server : undefined;
}

/** Runs registered as using the folder's server (dead ones are dropped). */
export function liveUsers(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(usersDir(dir));
  } catch {
    return [];
  }
  return names.map(Number).filter((pid) => {
    if (alive(pid)) return true;
    rmSync(join(usersDir(dir), String(pid)), { force: true });
    return false;
  });
}

/** Joins the folder's running server; on leaving, the last run out shuts it down (SHUTDOWN writes its AOF). */
export function joinServer(dir: string, server: Server): LocalRedis {
  mkdirSync(usersDir(dir), { recursive: true });
  const mine = join(usersDir(dir), String(process.pid));
  writeFileSync(mine, '');
  return {
    url: `redis://127.0.0.1:${server.port}`,
    origin: 'shared',
    stop: async () => {
      rmSync(mine, { force: true });
      // The run that started it still runs, or another joined: the last one leaving stops it.
      const now = await runningServer(dir);
      if (!now) return 'stopped';
      if (liveUsers(dir).length > 0 || (now.starter !== undefined && alive(now.starter))) return 'left running';
      await redisCommand(server.port, 'SHUTDOWN', 10_000);
      rmSync(serverFile(dir), { force: true });
      return 'stopped';
    },
  };
}
