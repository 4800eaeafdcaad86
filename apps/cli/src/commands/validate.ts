import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkAgentBytes, withDuplicateNames, type CheckedFile, type Finding, type GateReport } from '@agent-factory/core';
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';
import { summarize, summaryLine } from '../validate-summary.js';

/** Directories never worth walking for agent files. */
const SKIP_DIRS = new Set(['node_modules', '.git']);
const CONCURRENCY = 16;

interface FileResult {
  path: string;
  passed: boolean;
  gates: GateReport['gates'];
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) await walk(path, out);
    } else if (entry.name.endsWith('.md') && (entry.isFile() || (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile()))) {
      out.push(path);
    }
  }
}

/** Files named on the command line are taken as they are; directories give their `*.md`, recursively. */
async function collectFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or directory: ${path}`);
    if (info.isDirectory()) {
      const found: string[] = [];
      await walk(path, found);
      if (found.length === 0) throw new UsageError(`no .md files under ${path}`);
      files.push(...found);
    } else {
      files.push(path);
    }
  }
  return [...new Set(files)];
}

async function validateFiles(files: string[]): Promise<FileResult[]> {
  const checked: CheckedFile[] = new Array<CheckedFile>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      const path = files[i] ?? '';
      checked[i] = { path, ...(await checkAgentBytes(await readFile(path))) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  // In file order, so the later of two files with one name is the one told to rename.
  return withDuplicateNames(checked).map(({ path, report }) => ({ path, passed: report.passed, gates: report.gates }));
}

function findingsOf(result: FileResult): Finding[] {
  return result.gates.flatMap((g) => g.findings).sort((a, b) => a.line - b.line);
}

/** `agent-factory validate <files or dirs…> [--json]`. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check agent files against the four gates (syntax, content, Claude Code, TRUST 5); exit 1 on any error.')
    .argument('<paths...>', 'agent files, or directories to search for *.md')
    .option('--json', 'print the reports as JSON')
    .option('-q, --quiet', 'print errors only, not warnings')
    .action(async (paths: string[], options: { json?: boolean; quiet?: boolean }) => {
      const results = await validateFiles(await collectFiles(paths));
      const summary = summarize(results.map((r) => ({ passed: r.passed, findings: findingsOf(r) })));
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ files: results, summary }, null, 2)}\n`);
      } else {
        const shown = (f: { severity: string }): boolean => !options.quiet || f.severity === 'error';
        const lines = results.flatMap((r) => findingsOf(r).filter(shown).map((f) => `${r.path}:${f.line} ${f.rule} ${f.severity} ${f.message}`));
        lines.push(summaryLine(summary));
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (summary.errors > 0) process.exitCode = 1;
    });
}
