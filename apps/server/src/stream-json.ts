import type { Response } from 'express';

/** Bytes gathered before a write: fewer, larger chunks than one per item. */
const FLUSH_BYTES = 64 * 1024;

/** Waits until the socket takes more data, or resolves false when the client has gone. */
function drained(res: Response): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/**
 * Answers with a JSON array written item by item from an async iterable, honouring backpressure, so
 * 100,000 results never sit in memory. The first item is read before the status line goes out, so an
 * error up front still becomes an ordinary JSON error; a later error throws with headers sent, and
 * the caller must then cut the connection (the client sees a truncated body, never a short array).
 */
export async function writeJsonArray(res: Response, items: AsyncIterable<unknown>): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  let next = await iterator.next();
  res.status(200).type('application/json');
  let buffer = '[';
  let first = true;
  try {
    while (!next.done) {
      buffer += (first ? '' : ',') + JSON.stringify(next.value);
      first = false;
      if (buffer.length >= FLUSH_BYTES) {
        const more = res.write(buffer);
        buffer = '';
        if (!more && !(await drained(res))) return;
      }
      if (res.destroyed) return;
      next = await iterator.next();
    }
  } finally {
    // Stops the producer early when we leave before its end (client gone, error).
    if (!next.done) await iterator.return?.();
  }
  res.end(`${buffer}]`);
}
