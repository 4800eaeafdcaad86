import type { LlmProvider } from '@agent-factory/core';
import type { AnthropicProvider } from '@agent-factory/llm';
import { LRUCache } from 'lru-cache';
import type { FactoryConnection } from '../connection.js';
import { batchKeys } from '../keys.js';

/** A batch's mode never changes, so each process asks Redis once per batch. */
const modes = new LRUCache<string, boolean>({ max: 10_000 });

/** Whether the factory batch was submitted with `mode: 'batch'`. */
export async function isBatchMode(conn: FactoryConnection, batchId: string): Promise<boolean> {
  const key = `${conn.config.prefix}|${batchId}`;
  let batch = modes.get(key);
  if (batch === undefined) {
    batch = (await conn.redis.hget(batchKeys(conn.config.prefix, batchId).batch, 'mode')) === 'batch';
    modes.set(key, batch);
  }
  return batch;
}

/** Only the Anthropic provider can send Message Batches; anything else (offline, a wrapper) stays realtime. */
export function isAnthropicProvider(llm: LlmProvider): llm is AnthropicProvider {
  const candidate = llm as Partial<AnthropicProvider>;
  return llm.name === 'anthropic' && typeof candidate.settings === 'object' && typeof candidate.models === 'object';
}
