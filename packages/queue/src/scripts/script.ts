import { createHash } from 'node:crypto';
import type { RedisClient } from '../connection.js';

type Arg = string | number | Buffer;

/** A Lua script run by EVALSHA, falling back to EVAL after a Redis restart flushed the script cache. */
export class Script {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly lua: string,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }

  /** As run, with every string of the reply as a Buffer (for binary values). */
  async runBuffer(client: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    try {
      return await client.callBuffer('EVALSHA', this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.callBuffer('EVAL', this.lua, keys.length, ...keys, ...args);
    }
  }
}
