import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkAgentBytes, DuplicateNames, type CheckedFile, type Finding } from '@agent-factory/core';
import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';
import { jsonOutput, textOutput, type FileResult } from '../validate-output.js';
import { countFile, emptySummary } from '../validate-summary.js';

/** Directories never worth walking for agent files. */
const SKIP_DIRS = new Set(['node_modules', '.git']);
const CONCURRENCY = 16;

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

/**
 * Checks the files CONCURRENCY at a time and hands each one's result to `onFile` in file order (so
 * the later of two files with one name is the one told to rename), keeping none once handed over.
 */
async function validateFiles(files: string[], onFile: (result: FileResult) => Promise<void>): Promise<void> {
  const names = new DuplicateNames();
  const check = async (path: string): Promise<CheckedFile> => ({ path, ...(await checkAgentBytes(await readFile(path))) });
  const handOver = async (checked: CheckedFile): Promise<void> => {
    const { path, report } = names.check(checked);
    await onFile({ path, passed: report.passed, gates: report.gates });
  };
  const window: Promise<CheckedFile>[] = [];
  for (const path of files) {
    const next = check(path);
    // Awaited in turn below; an error meanwhile (an unreadable file) must not count as unhandled first.
    next.catch(() => undefined);
    window.push(next);
    if (window.length >= CONCURRENCY) await handOver(await window.shift()!);
  }
  for (const next of window) await handOver(await next);
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
      const files = await collectFiles(paths);
      const output = options.json ? jsonOutput() : textOutput(options.quiet === true);
      const summary = emptySummary();
      await validateFiles(files, async (result) => {
        const findings = findingsOf(result);
        countFile(summary, { passed: result.passed, findings });
        await output.file(result, findings);
      });
      await output.end(summary);
      if (summary.errors > 0) process.exitCode = 1;
    });
}
