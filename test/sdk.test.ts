// The library API (the README's example, run as it stands there), and output Claude Code loads as
// it is: the plugin layout, names unique across a folder, dry-run diffs that write nothing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAgentFactory, FactoryInputError, RedisFullError } from '@agent-factory/sdk';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, testEnv } from './helpers/cli.js';
import { limitMemory } from './helpers/maxmemory.js';
import { spawnWorker, type WorkerProcess } from './helpers/queue-workers.js';
import { startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'library.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const REQ = 'Review FastAPI endpoints for missing input validation and authentication.';
const OTHER = 'Write concise conventional commit messages from the staged git diff.';

/** The ```ts block under the README's "Library API" heading. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library API\n'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block, 'a ```ts block under ## Library API').toBeDefined();
  return block ?? '';
}

/** Every file under a folder with its content, to prove a dry run changed nothing. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
      const rel = join(sub, entry.name);
      if (entry.isDirectory()) await walk(rel);
      else out[rel] = await readFile(join(dir, rel), 'utf8');
    }
  };
  await walk('');
  return out;
}

/** A path as the dry-run diff names it: relative to the working directory when under it (the temp folders are not). */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** The frontmatter exactly as Claude Code reads it: strict YAML, duplicate keys refused. */
function frontmatter(file: string): Record<string, unknown> {
  return parse(/^---\n([\s\S]*?)\n---\n/.exec(file)?.[1] ?? '', { strict: true, uniqueKeys: true }) as Record<string, unknown>;
}

interface Manifest {
  name: string;
  description: string;
  version: string;
  [field: string]: unknown;
}

/** A plugin folder as Claude Code loads it: plugin.json with its fields, and agents that pass validate. */
async function expectLoadablePlugin(dir: string): Promise<{ manifest: Manifest; agents: string[] }> {
  const manifest = JSON.parse(await readFile(join(dir, '.claude-plugin', 'plugin.json'), 'utf8')) as Manifest;
  expect(manifest).toMatchObject({ name: expect.stringMatching(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/), description: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  const agents = (await readdir(join(dir, 'agents'))).sort();
  for (const file of agents) {
    expect(file).toMatch(/\.md$/);
    expect(`${String(frontmatter(await readFile(join(dir, 'agents', file), 'utf8'))['name'])}.md`).toBe(file);
  }
  const validate = await runCli(['validate', join(dir, 'agents')]);
  expect(validate.stdout).toMatch(new RegExp(`^${agents.length} files?: ${agents.length} clean, 0 with warnings, 0 with errors; 0 errors`, 'm'));
  expect(validate.code).toBe(0);
  return { manifest, agents };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'af-sdk-'));
});

describe('the library API', () => {
  it("the README's example is examples/library.ts, verbatim", async () => {
    expect(await readmeExample()).toBe(await readFile(EXAMPLE, 'utf8'));
  });

  it('checks its config: a typo, a bad value, a bad environment variable', () => {
    expect(() => createAgentFactory({ provider: 'offline', reseach: 'local' } as never)).toThrow(FactoryInputError);
    expect(() => createAgentFactory({ provider: 'gpt' as never })).toThrow(/provider/);
    expect(() => createAgentFactory({ env: { AF_AGENT_MODELS: 'simple=gpt-4' } })).toThrow(/AF_AGENT_MODELS: "simple=gpt-4" is not tier=model/);
    expect(() => createAgentFactory({ env: { AF_PROVIDER: 'anthropic' } })).toThrow(/ANTHROPIC_API_KEY/);
  });

  it('generates with the environment as defaults, writes when asked, validates paths and content', async () => {
    const factory = createAgentFactory({ env: { AF_AGENT_MODELS: 'simple=inherit,standard=inherit,complex=inherit', AF_RESEARCH: 'none' } });
    try {
      const agent = await factory.generate(OTHER, { write: { dir: join(dir, 'lib-agents') } });
      expect(agent).toMatchObject({ written: true, costUsd: 0, report: { passed: true }, path: join(dir, 'lib-agents', `${agent.name}.md`) });
      expect(frontmatter(agent.content)).toMatchObject({ name: agent.name, model: 'inherit' });
      expect(await readFile(agent.path ?? '', 'utf8')).toBe(agent.content);
      expect((await factory.validate({ path: agent.path ?? '' })).passed).toBe(true);
      const broken = await factory.validate({ content: '---\nname: x\n---\n' });
      expect(broken.passed).toBe(false);
      await expect(factory.generate('')).rejects.toThrow(/requirement: the requirement is empty/);
      await expect(factory.generate(REQ, { write: { layout: 'flat' as never } })).rejects.toThrow(/options\.write\.layout/);
      await expect(factory.validate({ path: join(dir, 'nope.md') })).rejects.toThrow(/no such file/);
      // A path is read as bytes: a UTF-16 copy of a good agent is reported as not UTF-8, not as missing frontmatter.
      await writeFile(join(dir, 'utf16.md'), Buffer.from(`\uFEFF${agent.content}`, 'utf16le'));
      const utf16 = await factory.validate({ path: join(dir, 'utf16.md') });
      expect(utf16.gates.flatMap((g) => g.findings).map((f) => f.rule)).toEqual(['syntax/encoding']);
    } finally {
      await factory.close();
    }
    await expect(factory.generate(REQ)).rejects.toThrow(/closed/);
  });
});

describe('--layout plugin', () => {
  it('writes a plugin folder Claude Code loads: plugin.json plus agents/, names unique across it', async () => {
    const plugin = join(dir, 'My Review Agents');
    const first = await runCli(['generate', REQ, '--layout', 'plugin', '--out', plugin, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const written = JSON.parse(first.stdout) as { name: string; path: string; files: string[] };
    expect(written.files).toEqual([join(plugin, 'agents', `${written.name}.md`), join(plugin, '.claude-plugin', 'plugin.json')]);
    await runCli(['generate', OTHER, '--layout', 'plugin', '--out', plugin]);
    const again = JSON.parse((await runCli(['generate', REQ, '--layout', 'plugin', '--out', plugin, '--json'])).stdout) as { name: string };
    expect(again.name).toBe(`${written.name}-2`);

    const { manifest, agents } = await expectLoadablePlugin(plugin);
    expect(agents).toHaveLength(3);
    expect(manifest).toEqual({ name: 'my-review-agents', description: expect.stringContaining(written.name), version: '0.1.0' });
    for (const agent of agents) expect(manifest.description).toContain(agent.slice(0, -3));
  });

  it("reads the folder first: another agent's file keeps its name, a user's plugin.json keeps its fields", async () => {
    const plugin = join(dir, 'existing-plugin');
    const name = (JSON.parse((await runCli(['generate', REQ, '--out', join(dir, 'probe'), '--dry-run', '--json'])).stdout) as { name: string }).name;
    await mkdir(join(plugin, 'agents'), { recursive: true });
    await mkdir(join(plugin, '.claude-plugin'), { recursive: true });
    const theirs = `---\nname: ${name}\ndescription: Someone else's agent of the same name.\n---\n\nYou review things.\n`;
    await writeFile(join(plugin, 'agents', `${name}.md`), theirs);
    const userManifest = { name: 'team-tools', description: 'Our team agents.', version: '2.1.0', author: { name: 'Team' } };
    await writeFile(join(plugin, '.claude-plugin', 'plugin.json'), JSON.stringify(userManifest));

    const run = JSON.parse((await runCli(['generate', REQ, '--layout', 'plugin', '--out', plugin, '--json'])).stdout) as { name: string };
    expect(run.name).toBe(`${name}-2`);
    expect(await readFile(join(plugin, 'agents', `${name}.md`), 'utf8')).toBe(theirs);
    expect(frontmatter(await readFile(join(plugin, 'agents', `${name}-2.md`), 'utf8'))['name']).toBe(`${name}-2`);
    expect(JSON.parse(await readFile(join(plugin, '.claude-plugin', 'plugin.json'), 'utf8'))).toEqual(userManifest);

    // A broken plugin.json stops the command before anything is written.
    await writeFile(join(plugin, '.claude-plugin', 'plugin.json'), '{ "name": ');
    const before = await snapshot(plugin);
    const broken = await runCli(['generate', OTHER, '--layout', 'plugin', '--out', plugin]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/plugin\.json is not valid JSON/);
    expect(await snapshot(plugin)).toEqual(before);
  });

  it.skipIf(spawnSync('claude', ['--version']).status !== 0)('passes `claude plugin validate --strict` (when Claude Code is installed)', async () => {
    const plugin = join(dir, 'for-claude');
    await runCli(['generate', REQ, '--layout', 'plugin', '--out', plugin]);
    const check = spawnSync('claude', ['plugin', 'validate', '--strict', plugin], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });
});

describe('--dry-run', () => {
  it('prints the diff of a new folder (every file all-added) and writes nothing', async () => {
    const plugin = join(dir, 'dry-new');
    const run = await runCli(['generate', REQ, '--layout', 'plugin', '--out', plugin, '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(plugin)).toBe(false);
    const manifest = shown(join(plugin, '.claude-plugin', 'plugin.json'));
    expect(run.stdout).toContain(`--- /dev/null\n+++ ${manifest}\n@@ -0,0 +1,5 @@\n+{\n+  "name": "dry-new",`);
    const agentHeader = /^\+\+\+ (\S+\/agents\/([a-z0-9-]+)\.md)$/m.exec(run.stdout);
    expect(agentHeader).not.toBeNull();
    const added = run.stdout.slice(run.stdout.indexOf(agentHeader?.[0] ?? '')).split('\n').slice(2).filter((l) => l.startsWith('+'));
    expect(added[0]).toBe('+---');
    expect(added[1]).toBe(`+name: ${agentHeader?.[2]}`);
    expect(run.stdout).toMatch(/not written: --dry-run/);
  });

  it('shows a changed plugin.json as a diff and a new agent as added lines; the folder is left as it was', async () => {
    const plugin = join(dir, 'dry-existing');
    await runCli(['generate', REQ, '--layout', 'plugin', '--out', plugin]);
    const before = await snapshot(plugin);
    const run = await runCli(['generate', OTHER, '--layout', 'plugin', '--out', plugin, '--dry-run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { path: string; written: boolean; diff: string; files: string[]; content: string };
    // The would-be agent file, not written.
    expect(out).toMatchObject({ written: false, path: out.files.find((f) => f.endsWith('.md')) });
    expect(out.path).toMatch(/\/agents\/[a-z0-9-]+\.md$/);
    expect(out.diff).toMatch(/^--- \S+plugin\.json\n\+\+\+ \S+plugin\.json\n@@ /m);
    expect(out.diff).toMatch(/^- {2}"description": .*\n\+ {2}"description": .*\n/m);
    expect(out.diff).toContain(`+${out.content.split('\n').join('\n+')}`.slice(0, 200));
    expect(await snapshot(plugin)).toEqual(before);

    // The same agent again in the agents layout: nothing to change but a new suffixed file.
    const agents = join(dir, 'dry-agents');
    await runCli(['generate', REQ, '--out', agents]);
    const same = await runCli(['generate', REQ, '--out', agents, '--dry-run']);
    expect(same.stdout).toMatch(/^\+name: \S+-2$/m);
    expect(await readdir(agents)).toHaveLength(1);
  });
});

describe('batches: the README example with Redis, results in the plugin layout', () => {
  let redis: TestRedis;
  let worker: WorkerProcess;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    redis = await startRedis();
    env = { REDIS_URL: redis.url, AF_PREFIX: testPrefix() };
    worker = await spawnWorker(env);
  }, 30_000);
  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
  });

  it('runs examples/library.ts (the README example) end to end, batch part included', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'af-example-'));
    const child = spawn(process.execPath, [TSX, EXAMPLE], { cwd, env: testEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^[a-z0-9-]+ passed \d+ tokens, \$0$/m);
    expect(stdout).toMatch(/^--- \/dev\/null\n\+\+\+ \.claude\/agents\/[a-z0-9-]+\.md$/m);
    expect(stdout).toMatch(/^valid: true$/m);
    expect(stdout).toMatch(/^item-0 completed [a-z0-9-]+$/m);
    expect(stdout).toMatch(/^item-1 completed [a-z0-9-]+$/m);
    expect(await readdir(cwd)).toEqual([]);
  }, 60_000);

  it('submit --wait --out --layout plugin, then results --dry-run: a loadable plugin, and nothing that would change', async () => {
    const input = join(dir, 'batch.txt');
    await writeFile(input, `${REQ}\n${OTHER}\n${REQ}\n`);
    const plugin = join(dir, 'batch-plugin');
    const run = await runCli(['submit', input, '--wait', '--out', plugin, '--layout', 'plugin', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as { id: string };
    const { manifest, agents } = await expectLoadablePlugin(plugin);
    expect(agents).toHaveLength(2);
    expect(manifest.name).toBe('batch-plugin');
    const index = JSON.parse(await readFile(join(plugin, 'index.json'), 'utf8')) as Record<string, { file: string }>;
    expect(index['line-1']?.file).toBe(index['line-3']?.file);
    expect([index['line-1']?.file, index['line-2']?.file].sort()).toEqual(agents.map((a) => `agents/${a}`));

    const before = await snapshot(plugin);
    const dry = await runCli(['results', status.id, '--out', plugin, '--layout', 'plugin', '--dry-run'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    // Collected there already: the same files, so nothing would change.
    expect(dry.stdout).toMatch(/would write \(--dry-run, nothing written\) 2 agent file\(s\) \(2 of them in the folder already, unchanged\) for 3 input id\(s\)/);
    expect(dry.stdout).not.toContain('-2.md');
    expect(await snapshot(plugin)).toEqual(before);

    // Into a new folder with --json: every file all-added, the diff inside the JSON (spooled, not kept in memory).
    const fresh = join(dir, 'fresh-plugin');
    const json = await runCli(['results', status.id, '--out', fresh, '--layout', 'plugin', '--dry-run', '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const { results } = JSON.parse(json.stdout) as { results: { diff: string; files: number } };
    expect(results.files).toBe(2);
    expect(results.diff.match(/^--- \/dev\/null$/gm)).toHaveLength(4);
    expect(results.diff).toMatch(/^\+\+\+ \S+fresh-plugin\/index\.json$/m);
    await expect(readdir(fresh)).rejects.toThrow(/ENOENT/);
  }, 60_000);
});

describe('batches on a Redis without room', () => {
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('submitBatch refuses a file that will not fit (RedisFullError, nothing enqueued); its repeats are counted once, by their ids entries', async () => {
    const prefix = testPrefix();
    const factory = createAgentFactory({ redisUrl: redis.url, prefix, env: { AF_RESEARCH: 'none', LOG_LEVEL: 'error' } });
    const lines = (distinct: number): string => Array.from({ length: 1000 }, (_, i) => `Review Terraform plans for public S3 buckets in stack ${i % distinct}.`).join('\n');
    await writeFile(join(dir, 'no-room.txt'), lines(1000));
    await writeFile(join(dir, 'ten.txt'), lines(10));
    await limitMemory(client, 2 * 2 ** 20);
    try {
      const refused = factory.submitBatch({ file: join(dir, 'no-room.txt') });
      await expect(refused).rejects.toBeInstanceOf(RedisFullError);
      await expect(refused).rejects.toThrow(/^this batch needs about 4\.9 MB in Redis .* \(1,000 distinct requirement\(s\) at about 5 KB each\) but Redis has [12]\.\d MB free/);
      expect((await client.keys(`${prefix}*`)).filter((k) => !k.endsWith(':meta'))).toEqual([]);
      // One requirement 100,000 times: its ids list alone (about 3 MB) is more than there is room for.
      await writeFile(join(dir, 'one.txt'), Array.from({ length: 100_000 }, () => 'Review Terraform plans for public S3 buckets.').join('\n'));
      await expect(factory.submitBatch({ file: join(dir, 'one.txt') })).rejects.toThrow(/^this batch needs about 3\.1 MB in Redis .* \(1 distinct requirement\(s\) at about 5 KB each, 99,999 repeat\(s\) at about 32 bytes each\) but Redis has [12]\.\d MB free/);
      expect(await factory.submitBatch({ file: join(dir, 'ten.txt') })).toMatchObject({ inputs: 1000, total: 10 });
    } finally {
      await client.config('SET', 'maxmemory', '0');
      await factory.close();
    }
  });
});
