import { once } from 'node:events';

/** Characters gathered before a write, and the longest a piece waits for more. */
const CHUNK = 65_536;
const DELAY_MS = 50;

/** Writes to stdout, waiting while a slow reader (a pipe, `| less`) has it full, so long output streams in bounded memory. */
export async function writeStdout(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/**
 * Output made in many small pieces (a line or a patch per file), written in chunks: a write per piece
 * cost more than making it (100,000 files' JSON took twice as long). A piece still shows within
 * DELAY_MS when no more follow soon; `flush` writes the rest.
 */
export class StdoutChunks {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  async write(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= CHUNK) await this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), DELAY_MS);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.pending;
    this.pending = '';
    if (text !== '') await writeStdout(text);
  }
}
