import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStdout } from './write-stdout.js';

/** Stands for the diff in the document until the spooled text takes its place. */
const MARK = '\u0000af-diff\u0000';

/**
 * A dry run's diff kept on disk for `--json`, whose document holds the diff inside a summary known
 * only once the diff is complete: a batch's diff (hundreds of MB) is never held in memory whole.
 */
export class DiffSpool {
  private constructor(
    private readonly dir: string,
    private readonly file: WriteStream,
  ) {}

  static async open(): Promise<DiffSpool> {
    const dir = await mkdtemp(join(tmpdir(), 'af-diff-'));
    return new DiffSpool(dir, createWriteStream(join(dir, 'diff')));
  }

  /** Takes one file's patch (OutputFolder's `onDiff`). */
  readonly write = async (patch: string): Promise<void> => {
    if (!this.file.write(patch)) await once(this.file, 'drain');
  };

  /** Prints `JSON.stringify(document(diff), null, 2)` and a newline, the diff streamed from disk into its place. */
  async printJson(document: (diff: string) => unknown): Promise<void> {
    this.file.end();
    await once(this.file, 'finish');
    const text = `${JSON.stringify(document(MARK), null, 2)}\n`;
    const mark = JSON.stringify(MARK);
    const at = text.indexOf(mark);
    await writeStdout(`${text.slice(0, at)}"`);
    // Decoded as UTF-8 a whole character at a time, so each chunk's JSON escape is the whole text's part.
    for await (const chunk of createReadStream(join(this.dir, 'diff'), { encoding: 'utf8' })) await writeStdout(JSON.stringify(chunk).slice(1, -1));
    await writeStdout(`"${text.slice(at + mark.length)}`);
  }

  async close(): Promise<void> {
    this.file.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}
