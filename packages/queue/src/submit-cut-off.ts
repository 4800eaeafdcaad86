import { describeError } from './errors.js';

/** A file name as a shell reads it back: bare when it is plain, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * A submit that Redis stopped answering part way, past what it waited for (the batch's lease): the
 * batch stays as far as it got, interrupted once its lease runs out, to be resumed or cancelled.
 */
export class SubmitCutOffError extends Error {
  override readonly name = 'SubmitCutOffError';

  constructor(
    readonly batchId: string,
    readonly waitedMs: number,
    cause: unknown,
  ) {
    super('', { cause });
    this.message = this.forFile('FILE');
  }

  /** The message with the submitted file in the resume command. */
  forFile(file: string): string {
    const id = this.batchId;
    return (
      `Redis stopped answering while batch ${id} was being enqueued, and was not back within ${Math.round(this.waitedMs / 1000)} s (${describeError(this.cause)}). ` +
      `What was enqueued stays. Once Redis is back, finish the batch: agent-factory submit ${shellWord(file)} --resume ${id}; or drop it: agent-factory cancel ${id}`
    );
  }
}
