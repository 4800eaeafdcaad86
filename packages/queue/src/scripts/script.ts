import { createHash } from 'node:crypto';
import type { RedisClient } from '../connection.js';

type Arg = string | number | Buffer;

export interface ScriptOptions {
  /**
   * Runs even when Redis is at maxmemory, for the steps that free memory (cancel, delete): without
   * it a full Redis refuses them at their first write, and the user could not make room. Redis 7's
   * `allow-oom` script flag; Redis 6.2 has no script flags and runs the plain script.
   */
  allowOom?: boolean;
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

/** Whether each client's Redis reads script flags (7 or later), asked once per client. */
const flagsByClient = new WeakMap<RedisClient, Promise<boolean>>();

function takesFlags(client: RedisClient): Promise<boolean> {
  let known = flagsByClient.get(client);
  if (!known) {
    known = client.info('server').then(
      (info) => Number(/^redis_version:(\d+)/m.exec(info)?.[1] ?? 0) >= 7,
      () => false,
    );
    flagsByClient.set(client, known);
  }
  return known;
}

/** A Lua script run by EVALSHA, falling back to EVAL after a Redis restart flushed the script cache. */
export class Script {
  readonly sha: string;
  private readonly flagged: { lua: string; sha: string } | undefined;

  constructor(
    readonly name: string,
    readonly lua: string,
    options: ScriptOptions = {},
  ) {
    this.sha = sha1(lua);
    if (options.allowOom) {
      const flaggedLua = `#!lua flags=allow-oom\n${lua}`;
      this.flagged = { lua: flaggedLua, sha: sha1(flaggedLua) };
    }
  }

  /** The flagged source where Redis reads flags; the plain one otherwise (at once: most scripts run per job). */
  private source(client: RedisClient): { lua: string; sha: string } | Promise<{ lua: string; sha: string }> {
    const flagged = this.flagged;
    return flagged ? takesFlags(client).then((takes) => (takes ? flagged : this)) : this;
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    const { lua, sha } = await this.source(client);
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(lua, keys.length, ...keys, ...args);
    }
  }

  /** As run, with every string of the reply as a Buffer (for binary values). */
  async runBuffer(client: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    const { lua, sha } = await this.source(client);
    try {
      return await client.callBuffer('EVALSHA', sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.callBuffer('EVAL', lua, keys.length, ...keys, ...args);
    }
  }
}
