import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Reply } from './completion.js';
import { errorBody } from './errors.js';
import { writable } from './http.js';

/** When the reply's tokens leave: the first after `ttftMs`, then `tokensPerSecond` (unset = at once). */
export interface Pace {
  /** performance.now() when the request arrived. */
  startedAt: number;
  ttftMs: number;
  tokensPerSecond?: number | undefined;
}

/** Milliseconds after arrival at which the first `tokens` output tokens have been generated. */
export function tokensDueAt(pace: Pace, tokens: number): number {
  return pace.ttftMs + (pace.tokensPerSecond ? (tokens / pace.tokensPerSecond) * 1000 : 0);
}

/** Waits until `startedAt + ms`; false when the simulator closes first. */
export async function waitUntil(pace: Pace, ms: number, signal: AbortSignal): Promise<boolean> {
  const delay = pace.startedAt + ms - performance.now();
  if (signal.aborted) return false;
  if (delay <= 0) return true;
  try {
    await sleep(delay, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** The answer in text deltas of a few tokens each (words grouped to at least 12 characters). */
export function splitDeltas(text: string): string[] {
  const deltas: string[] = [];
  let current = '';
  for (const piece of text.match(/\S+\s*|\s+/g) ?? []) {
    current += piece;
    if (current.length >= 12) {
      deltas.push(current);
      current = '';
    }
  }
  if (current) deltas.push(current);
  return deltas;
}

/** Shortest gap between two writes of one stream (ms). The last frames are never delayed by it. */
const TICK_MS = 20;

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export type StreamEnd = 'completed' | 'errored' | 'aborted';

/**
 * Streams a reply as the API does: message_start, content_block_start, ping, text deltas paced
 * by `pace`, content_block_stop, message_delta (cumulative usage), message_stop. With
 * `errorAfterDeltas` it sends that many deltas, then `event: error` (overloaded_error), and ends.
 */
export async function streamReply(
  res: ServerResponse,
  reply: Reply,
  options: { pace: Pace; requestId: string; signal: AbortSignal; errorAfterDeltas?: number | undefined },
): Promise<StreamEnd> {
  const { pace, signal } = options;
  let gone = false;
  res.once('close', () => (gone = !res.writableFinished));
  const write = async (chunk: string): Promise<boolean> => {
    if (gone || signal.aborted) return false;
    if (!res.write(chunk)) await writable(res);
    return !gone;
  };

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const { usage } = reply;
  const start = frame('message_start', {
    type: 'message_start',
    message: { id: reply.id, type: 'message', role: 'assistant', model: reply.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  const blockStart = frame('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  if (!(await write(start + blockStart + frame('ping', { type: 'ping' })))) return 'aborted';

  const deltas = splitDeltas(reply.text);
  const totalChars = Math.max(1, reply.text.length);
  const cutAt = options.errorAfterDeltas === undefined ? Infinity : Math.min(options.errorAfterDeltas, Math.max(0, deltas.length - 1));
  let charsSent = 0;
  let i = 0;
  let lastWrite = -Infinity;
  while (i < deltas.length && i < cutAt) {
    // Each delta leaves when the tokens before it have been "generated"; those due meanwhile go out
    // together, at most one write per TICK_MS so thousands of concurrent streams stay on time.
    const tokensBefore = (reply.outputTokens * charsSent) / totalChars;
    if (!(await waitUntil(pace, Math.max(tokensDueAt(pace, tokensBefore), lastWrite + TICK_MS), signal))) return 'aborted';
    let batch = '';
    const now = performance.now() - pace.startedAt;
    lastWrite = now;
    do {
      const text = deltas[i]!;
      batch += frame('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
      charsSent += text.length;
      i++;
    } while (i < deltas.length && i < cutAt && tokensDueAt(pace, (reply.outputTokens * charsSent) / totalChars) <= now);
    if (!(await write(batch))) return 'aborted';
  }

  if (i < deltas.length) {
    await write(frame('error', errorBody('overloaded_error', 'Overloaded', options.requestId)));
    res.end();
    return 'errored';
  }
  if (!(await waitUntil(pace, tokensDueAt(pace, reply.outputTokens), signal))) return 'aborted';
  const ok = await write(
    frame('content_block_stop', { type: 'content_block_stop', index: 0 }) +
      frame('message_delta', { type: 'message_delta', delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence }, usage }) +
      frame('message_stop', { type: 'message_stop' }),
  );
  if (!ok) return 'aborted';
  res.end();
  return 'completed';
}
