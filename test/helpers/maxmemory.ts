import type { Redis } from 'ioredis';

/** INFO's used_memory: what Redis counts against its maxmemory. */
export async function usedMemory(client: Pick<Redis, 'info'>): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await client.info('memory'))?.[1]);
}

/**
 * Sets maxmemory to what Redis uses now plus `room` bytes (negative: below it, so every write that
 * needs memory is refused at once); returns the limit. `CONFIG SET maxmemory 0` lifts it.
 */
export async function limitMemory(client: Pick<Redis, 'info' | 'config'>, room: number): Promise<number> {
  const max = (await usedMemory(client)) + room;
  await client.config('SET', 'maxmemory', String(max));
  return max;
}
