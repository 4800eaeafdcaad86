import { createHash } from 'node:crypto';
import type { RedisClient } from '../connection.js';

type Arg = string | number | Buffer;
type Send = (script: string, keys: readonly string[], args: readonly Arg[]) => Promise<unknown>;

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

  /** The flagged source where Redis reads flags, else the plain one. */
  private async flaggedSource(client: RedisClient, flagged: { lua: string; sha: string }): Promise<{ lua: string; sha: string }> {
    return (await takesFlags(client)) ? flagged : this;
  }

  run(client: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    return this.call(client, keys, args, (sha, k, a) => client.evalsha(sha, k.length, ...k, ...a), (lua, k, a) => client.eval(lua, k.length, ...k, ...a));
  }

  /** As run, with every string of the reply as a Buffer (for binary values). */
  runBuffer(client: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    return this.call(client, keys, args, (sha, k, a) => client.callBuffer('EVALSHA', sha, k.length, ...k, ...a), (lua, k, a) => client.callBuffer('EVAL', lua, k.length, ...k, ...a));
  }

  /**
   * EVALSHA, then EVAL on NOSCRIPT. A plain script's command is sent at once, in the caller's own
   * microtask: one await more before each chunk's script took a 100,000-line submit from 4.2 s to 5.3 s.
   */
  private call(client: RedisClient, keys: readonly string[], args: readonly Arg[], evalsha: Send, evaluate: Send): Promise<unknown> {
    const send = ({ lua, sha }: { lua: string; sha: string }): Promise<unknown> =>
      evalsha(sha, keys, args).catch((error: unknown) => {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return evaluate(lua, keys, args);
      });
    return this.flagged ? this.flaggedSource(client, this.flagged).then(send) : send(this);
  }
}
