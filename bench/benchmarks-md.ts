import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The file sections go to: BENCHMARKS.md, or `BENCH_MD_FILE` (bench/all.ts points its children at a fresh file). */
export const BENCHMARKS_FILE = process.env['BENCH_MD_FILE'] || fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

/** The first line of a BENCHMARKS.md that has no header yet (bench/all.ts writes the real one). */
export const BARE_HEADER = '# Benchmarks\n';

/** The machine line every section carries, since figures mean nothing without it. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Replaces (or appends) one benchmark's section of the file, between its markers; everything else
 * (the header, the other sections) stays as it is. `npm run bench:X` updates one section this way;
 * `npm run bench` (bench/all.ts) starts from an empty file and rewrites BENCHMARKS.md whole.
 */
export function writeSection(id: string, markdown: string): void {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(BENCHMARKS_FILE) ? readFileSync(BENCHMARKS_FILE, 'utf8') : BARE_HEADER;
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  text = pattern.test(text) ? text.replace(pattern, () => block) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(BENCHMARKS_FILE, text);
}
