// The `agent-factory` program itself: its version, its command list, a mistyped command.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const COMMANDS = ['generate', 'validate', 'start', 'submit', 'status', 'results', 'retry', 'cancel', 'report', 'worker', 'serve', 'doctor', 'cache', 'up', 'sim', 'docs-server', 'mcp'];

describe('agent-factory', () => {
  it('--version and -V print the package version and exit 0', async () => {
    const { version } = JSON.parse(await readFile(new URL('../apps/cli/package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('--help lists every command', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    const listed = [...run.stdout.matchAll(/^ {2}([a-z][a-z0-9-]*)\b/gm)].map((m) => m[1]);
    expect(listed.filter((name) => name !== 'help')).toEqual(COMMANDS);
  });

  it('a mistyped command exits 2 and names the nearest one', async () => {
    const run = await runCli(['sumbit', 'x.jsonl']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'sumbit'/);
    expect(run.stderr).toMatch(/Did you mean submit\?/);
  });
});
