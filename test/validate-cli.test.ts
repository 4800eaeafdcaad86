import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli, testEnv } from './helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/agents/', import.meta.url));
const LINE = /^(.+\.md):(\d+) ([a-z0-9-]+\/[a-z0-9-]+) (error|warning) (.+)$/;

interface JsonReport {
  files: { path: string; passed: boolean; gates: { gate: string; score: number; findings: { rule: string }[] }[] }[];
  summary: { files: number; clean: number; withWarnings: number; withErrors: number; passed: number; failed: number; errors: number; warnings: number };
}

describe('agent-factory validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-validate-'));
  cpSync(join(FIXTURES, 'good'), join(dir, 'good'), { recursive: true });
  mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
  cpSync(join(FIXTURES, 'broken', 'syntax-yaml-strict.md'), join(dir, 'nested', 'deeper', 'broken.md'));
  cpSync(join(FIXTURES, 'broken', 'claude-code-tool-unknown.md'), join(dir, 'unknown-tool.md'));
  cpSync(join(FIXTURES, 'broken', 'syntax-frontmatter-missing.md'), join(dir, 'README.md'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('walks directories, prints file:line rule severity message, and exits 1 on errors', async () => {
    const run = await runCli(['validate', dir]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    const summary = lines.pop() ?? '';
    const files = readdirSync(join(FIXTURES, 'good')).length + 3;
    expect(summary).toMatch(new RegExp(String.raw`^${files} files: \d+ clean, \d+ with warnings, [1-9]\d* with errors; [1-9]\d* errors?, \d+ warnings?$`));
    for (const line of lines) expect(line).toMatch(LINE);
    expect(lines).toContainEqual(expect.stringMatching(/broken\.md:3 syntax\/yaml-strict error .*quote the value/));
    expect(lines).toContainEqual(expect.stringMatching(/README\.md:1 syntax\/frontmatter-missing error /));
    expect(lines).toContainEqual(expect.stringMatching(/unknown-tool\.md:4 claude-code\/tool-unknown warning /));
  });

  it('prints each file as soon as it is checked, not once every file is (its findings, or its JSON entry)', async () => {
    for (const json of [false, true]) {
      const own = mkdtempSync(join(tmpdir(), 'af-validate-stream-'));
      try {
        // A FIFO: its text arrives only when the test writes it, after README.md's output was seen or not.
        const later = join(own, 'later.md');
        execFileSync('mkfifo', [later]);
        const child = spawn(process.execPath, [CLI, 'validate', ...(json ? ['--json'] : []), join(dir, 'README.md'), later], { env: testEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        const seen = json ? '"rule": "syntax/frontmatter-missing"' : 'README.md:1 syntax/frontmatter-missing error';
        const printedFirst = await new Promise<boolean>((resolve) => {
          child.stdout.setEncoding('utf8').on('data', (d: string) => {
            stdout += d;
            if (stdout.includes(seen)) resolve(true);
          });
          setTimeout(() => resolve(false), 10_000);
        });
        const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
        await writeFile(later, readFileSync(join(FIXTURES, 'good', 'log-triage.md')));
        expect(await closed).toBe(1);
        expect(printedFirst, json ? 'the JSON entry' : 'the findings').toBe(true);
        if (json) expect((JSON.parse(stdout) as JsonReport).summary.files).toBe(2);
        else expect(stdout).toMatch(/^2 files: /m);
      } finally {
        rmSync(own, { recursive: true, force: true });
      }
    }
  }, 40_000);

  it('prints a JSON report with --json', async () => {
    const run = await runCli(['validate', '--json', join(dir, 'README.md'), join(dir, 'good')]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.summary.files).toBe(report.files.length);
    expect(report.files[0]).toMatchObject({ path: join(dir, 'README.md'), passed: false });
    expect(report.files[0]?.gates.map((g) => g.gate)).toEqual(['syntax', 'content', 'claude-code', 'trust5']);
    expect(report.summary.errors).toBeGreaterThan(0);
  });

  it('exits 0 when no file has an error', async () => {
    const run = await runCli(['validate', join(FIXTURES, 'good')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ with warnings, 0 with errors; 0 errors, \d+ warnings?\n$/);
  });

  it('counts a file with warnings only as such, not as failed, and exits 0', async () => {
    const run = await runCli(['validate', join(dir, 'unknown-tool.md')]);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n').pop()).toMatch(/^1 file: 0 clean, 1 with warnings, 0 with errors; 0 errors, [1-9]\d* warnings?$/);
    const json = JSON.parse((await runCli(['validate', '--json', join(dir, 'unknown-tool.md'), join(dir, 'README.md')])).stdout) as JsonReport;
    expect(json.summary).toMatchObject({ files: 2, clean: 0, withWarnings: 1, withErrors: 1 });
  });

  it('reports a file that is not UTF-8 with one error at its first bad byte', async () => {
    const latin1 = await runCli(['validate', join(FIXTURES, 'broken', 'syntax-encoding.md')]);
    expect(latin1.code).toBe(1);
    const lines = latin1.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/syntax-encoding\.md:3 syntax\/encoding error The file is not UTF-8: byte 0xE9 on line 3 .*save the file as UTF-8/);
    const other = mkdtempSync(join(tmpdir(), 'af-validate-utf16-'));
    try {
      writeFileSync(join(other, 'utf16.md'), Buffer.from(`\uFEFF${readFileSync(join(FIXTURES, 'good', 'log-triage.md'), 'utf8')}`, 'utf16le'));
      const utf16 = await runCli(['validate', other]);
      expect(utf16.code).toBe(1);
      expect(utf16.stdout).toMatch(/^.*utf16\.md:1 syntax\/encoding error The file is UTF-16 LE \(by its byte-order mark\).*\n1 file: 0 clean, 0 with warnings, 1 with errors; 1 error, 0 warnings\n$/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('gives each later file of a name taken by an earlier one an error naming that file', async () => {
    const other = mkdtempSync(join(tmpdir(), 'af-validate-names-'));
    try {
      for (const file of ['a.md', 'b.md']) cpSync(join(FIXTURES, 'good', 'log-triage.md'), join(other, file));
      const run = await runCli(['validate', other]);
      expect(run.code).toBe(1);
      const lines = run.stdout.trimEnd().split('\n').filter((l) => l.includes(' error '));
      expect(lines).toEqual([`${join(other, 'b.md')}:2 claude-code/duplicate-name error Another agent file, ${join(other, 'a.md')} (line 2), is named "log-triage" too: Claude Code loads only one agent per name, so rename one of them.`]);
      expect((await runCli(['validate', join(other, 'a.md')])).code).toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('exits 2 with one line on stderr for a path that does not exist', async () => {
    const run = await runCli(['validate', join(dir, 'nope.md')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('nope.md');
  });
});
