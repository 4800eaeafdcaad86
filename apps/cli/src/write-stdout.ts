import { once } from 'node:events';

/** Writes to stdout, waiting while a slow reader (a pipe, `| less`) has it full, so long output streams in bounded memory. */
export async function writeStdout(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}
