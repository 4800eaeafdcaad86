// `agent-factory mcp` driven by the real MCP client, as Claude Code drives it: over stdio (the
// `claude mcp add` way) and once over Streamable HTTP; the batch tools against a real Redis and worker.
import { spawn } from 'node:child_process';
import { request, type IncomingHttpHeaders } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, runCli, testEnv } from './helpers/cli.js';
import { spawnWorker, type WorkerProcess } from './helpers/queue-workers.js';
import { freePort, startRedis, testPrefix, type TestRedis } from './helpers/redis.js';

const TOOLS = ['generate_agent', 'validate_agent', 'submit_batch', 'batch_status', 'batch_results', 'retry_batch'];
const REQ = 'Review Terraform plans for public S3 buckets and overly broad IAM policies.';

/** The environment as a child gets it: only defined values (the transport's type). */
function childEnv(extra: NodeJS.ProcessEnv = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(testEnv(extra)).filter((e): e is [string, string] => e[1] !== undefined));
}

/** `agent-factory mcp` over stdio in `cwd`, with the real client. */
async function stdioClient(cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], cwd, env: childEnv(env), stderr: 'pipe' });
  const client = new Client({ name: 'agent-factory-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function texts(result: CallToolResult): string[] {
  return result.content.map((c) => (c.type === 'text' ? c.text : ''));
}

function json<T>(result: CallToolResult, index = 0): T {
  return JSON.parse(texts(result)[index] ?? '') as T;
}

/** The frontmatter exactly as Claude Code reads it: a strict YAML parse, duplicate keys refused. */
function frontmatter(file: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(file);
  expect(match, 'frontmatter between --- lines on line 1').not.toBeNull();
  return parse(match?.[1] ?? '', { strict: true, uniqueKeys: true }) as Record<string, unknown>;
}

interface Report {
  passed: boolean;
  gates: { gate: string; score: number; findings: { rule: string; severity: string; line: number; message: string }[] }[];
}

let project: string;
let client: Client;
beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'af-mcp-project-'));
  client = await stdioClient(project);
});
afterAll(async () => {
  await client?.close();
});

describe('agent-factory mcp over stdio', () => {
  it('lists the five tools with their input schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    const schema = (name: string) => tools.find((t) => t.name === name)?.inputSchema as { type: string; properties: Record<string, { type?: string; enum?: string[] }>; required?: string[] };
    expect(schema('generate_agent')).toMatchObject({ type: 'object', required: ['requirement'] });
    expect(Object.keys(schema('generate_agent').properties)).toEqual(expect.arrayContaining(['requirement', 'tier', 'model', 'write', 'dir']));
    expect(schema('generate_agent').properties['tier']?.enum).toEqual(['simple', 'standard', 'complex']);
    expect(schema('generate_agent').properties['write']?.type).toBe('boolean');
    expect(Object.keys(schema('validate_agent').properties).sort()).toEqual(['content', 'path']);
    expect(Object.keys(schema('submit_batch').properties)).toEqual(expect.arrayContaining(['requirements', 'file']));
    expect(schema('submit_batch').properties['requirements']?.type).toBe('array');
    expect(schema('batch_status')).toMatchObject({ required: ['id'] });
    expect(schema('batch_results')).toMatchObject({ required: ['id'] });
    for (const tool of tools) expect(tool.description?.length).toBeGreaterThan(20);
  });

  it('generate_agent returns a file that loads (strict YAML) and passes validate, with its gate report', async () => {
    const result = await call(client, 'generate_agent', { requirement: REQ, model: 'inherit' });
    expect(result.isError).toBeFalsy();
    const [file = '', summary = ''] = texts(result);
    const fields = frontmatter(file);
    expect(fields).toMatchObject({ name: expect.stringMatching(/^[a-z0-9-]+$/), description: expect.any(String), model: 'inherit' });
    expect(typeof fields['tools']).toBe('string');
    const report = JSON.parse(summary) as { name: string; report: Report; usage: { output: number }; costUsd: number; written?: boolean };
    expect(report).toMatchObject({ name: fields['name'], report: { passed: true }, costUsd: 0 });
    expect(report.report.gates.map((g) => g.gate)).toEqual(['syntax', 'content', 'claude-code', 'trust5']);
    expect(report.written).toBeUndefined();
    expect(await readdir(project)).toEqual([]);

    // The CLI's validate agrees, on the file as written to disk.
    const path = join(await mkdtemp(join(tmpdir(), 'af-mcp-file-')), `${fields['name'] as string}.md`);
    await writeFile(path, file);
    const validate = await runCli(['validate', path]);
    expect(validate.stdout).toMatch(/^1 file: 1 clean, 0 with warnings, 0 with errors; 0 errors/m);
    expect(validate.code).toBe(0);
  });

  it("write: true writes into the project's .claude/agents (the server's cwd), a taken name gets a suffix", async () => {
    const first = await call(client, 'generate_agent', { requirement: REQ, write: true });
    const summary = json<{ name: string; path: string; written: boolean }>(first, 1);
    expect(summary).toMatchObject({ written: true, path: join(project, '.claude', 'agents', `${summary.name}.md`) });
    expect(await readFile(summary.path, 'utf8')).toBe(texts(first)[0]);

    const second = json<{ name: string; path: string }>(await call(client, 'generate_agent', { requirement: REQ, write: true }), 1);
    expect(second.name).toBe(`${summary.name}-2`);
    expect(frontmatter(await readFile(second.path, 'utf8'))['name']).toBe(second.name);
    expect((await readdir(join(project, '.claude', 'agents'))).sort()).toEqual([`${summary.name}-2.md`, `${summary.name}.md`]);

    // A folder inside the project, named by dir; a dry run there writes nothing and returns the diff.
    const other = join(project, 'packages', 'web');
    await mkdir(other, { recursive: true });
    const dry = json<{ written: boolean; diff: string }>(await call(client, 'generate_agent', { requirement: REQ, write: true, dir: other, dryRun: true }), 1);
    expect(dry.written).toBe(false);
    expect(dry.diff).toMatch(/^--- \/dev\/null$/m);
    expect(await readdir(other)).toEqual([]);
    await call(client, 'generate_agent', { requirement: REQ, write: true, dir: 'packages/web' });
    expect(await readdir(join(other, '.claude', 'agents'))).toHaveLength(1);
  });

  it('refuses paths outside the project folder: .., absolute, or through a symlink', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'af-mcp-outside-'));
    await writeFile(join(outside, 'secret.md'), '---\nname: secret\n---\n');
    await mkdir(join(project, 'escape'), { recursive: true });
    await symlink(outside, join(project, 'escape', 'out'));
    // A project folder whose .claude leads elsewhere (e.g. to ~/.claude).
    await mkdir(join(project, 'linked'), { recursive: true });
    await symlink(outside, join(project, 'linked', '.claude'));
    await symlink(join(outside, 'secret.md'), join(project, 'escape', 'secret.md'));

    const refused = async (name: string, args: Record<string, unknown>): Promise<void> => {
      const result = await call(client, name, args);
      expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(texts(result)[0]).toMatch(/is outside the project folder/);
    };
    const relativeOut = relative(project, outside);
    for (const dir of [relativeOut, outside, '../../etc', 'escape/out', 'linked']) {
      await refused('generate_agent', { requirement: REQ, write: true, force: true, dir });
    }
    await refused('validate_agent', { path: '/etc/passwd' });
    await refused('validate_agent', { path: `${relativeOut}/secret.md` });
    await refused('validate_agent', { path: 'escape/secret.md' });
    await refused('submit_batch', { file: '/etc/passwd' });
    // Nothing was written outside.
    expect((await readdir(outside)).sort()).toEqual(['secret.md']);
    expect(existsSync(join(project, '..', 'etc'))).toBe(false);
  });

  it('validate_agent returns the findings of a broken file (by path) and passes a good one (by content)', async () => {
    await mkdir(join(project, 'broken'), { recursive: true });
    await writeFile(join(project, 'broken', 'bad.md'), '---\nname: Bad_Agent\ndescription: Use when: the build breaks\ntools:\n  - Read\n  - LS\n---\n\nFix it.\n');
    const broken = await call(client, 'validate_agent', { path: 'broken/bad.md' });
    expect(broken.isError).toBeFalsy();
    const report = json<Report>(broken);
    expect(report.passed).toBe(false);
    const findings = report.gates.flatMap((g) => g.findings);
    expect(findings.filter((f) => f.severity === 'error').length).toBeGreaterThan(0);
    expect(findings.every((f) => f.rule.length > 0 && f.message.length > 0 && f.line >= 1)).toBe(true);

    const good = texts(await call(client, 'generate_agent', { requirement: REQ }))[0];
    expect(json<Report>(await call(client, 'validate_agent', { content: good })).passed).toBe(true);
  });

  it('answers bad calls with isError and a readable message', async () => {
    const neither = await call(client, 'validate_agent', {});
    expect(neither.isError).toBe(true);
    expect(texts(neither)[0]).toMatch(/either path or content/);
    const missing = await call(client, 'validate_agent', { path: 'nope.md' });
    expect(missing).toMatchObject({ isError: true });
    expect(texts(missing)[0]).toMatch(/no such file: .*nope\.md/);
    const empty = await call(client, 'generate_agent', { requirement: '   ' });
    expect(empty.isError).toBe(true);
    expect(texts(empty)[0]).toMatch(/requirement.*empty/);
    // A bad field of a requirement object is named, with what it may be (zod alone says "Invalid input").
    const tier = await call(client, 'submit_batch', { requirements: [REQ, REQ, REQ, { requirement: 'x', tier: 'bad' }] });
    expect(tier.isError).toBe(true);
    expect(texts(tier)[0]).toMatch(/tier: must be one of simple, standard, complex at requirements\[3\]/);
    const model = await call(client, 'submit_batch', { requirements: [{ requirement: 'x', model: 'gpt-4' }] });
    expect(texts(model)[0]).toMatch(/a full model id starts with "claude-" at requirements\[0\]\.model/);
    const neitherForm = await call(client, 'submit_batch', { requirements: [42] });
    expect(texts(neitherForm)[0]).toMatch(/must be a requirement string or an object \{id\?, requirement, tier\?, model\?\} at requirements\[0\]/);
  });

  it('the batch tools without Redis say how to get one', async () => {
    const port = await freePort();
    const offline = await stdioClient(project, { REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      const status = await call(offline, 'batch_status', { id: 'b_nope' });
      expect(status.isError).toBe(true);
      expect(texts(status)[0]).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
      expect(texts(status)[0]).toMatch(/npx agent-factory up/);
      const submit = await call(offline, 'submit_batch', { requirements: [REQ] });
      expect(submit.isError).toBe(true);
      expect(texts(submit)[0]).toMatch(/Redis/);
      // generate needs no Redis.
      expect((await call(offline, 'generate_agent', { requirement: REQ })).isError).toBeFalsy();
    } finally {
      await offline.close();
    }
  });
});

describe('batch tools with Redis and a worker', () => {
  let redis: TestRedis;
  let worker: WorkerProcess;
  let batchClient: Client;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    redis = await startRedis();
    env = { REDIS_URL: redis.url, AF_PREFIX: testPrefix() };
    worker = await spawnWorker(env);
    batchClient = await stdioClient(project, env);
  }, 30_000);
  afterAll(async () => {
    await batchClient?.close();
    await worker?.stop();
    await redis?.stop();
  });

  it('submit_batch → batch_status → batch_results, end to end', async () => {
    const requirements = [REQ, { id: 42, requirement: 'Write concise conventional commit messages from the staged git diff.', tier: 'simple' }, REQ];
    const submitted = await call(batchClient, 'submit_batch', { requirements, name: 'from-mcp' });
    expect(submitted.isError).toBeFalsy();
    const batch = json<{ id: string; name: string; inputs: number; total: number }>(submitted);
    expect(batch).toMatchObject({ name: 'from-mcp', inputs: 3, total: 2 });

    let status = json<{ state: string; counts: Record<string, number> }>(await call(batchClient, 'batch_status', { id: batch.id }));
    for (const until = Date.now() + 30_000; status.state === 'running' && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 200));
      status = json(await call(batchClient, 'batch_status', { id: batch.id }));
    }
    expect(status).toMatchObject({ state: 'completed', counts: { completed: 2, failed: 0 } });

    const page = json<{ next: number | null; results: { inputId: string; state: string; name: string; content: string; passed: boolean }[] }>(await call(batchClient, 'batch_results', { id: batch.id, limit: 2 }));
    expect(page.results.map((r) => r.inputId)).toEqual(['item-0', '42']);
    expect(page.next).toBe(2);
    const rest = json<{ next: number | null; results: { inputId: string; content: string }[] }>(await call(batchClient, 'batch_results', { id: batch.id, offset: 2 }));
    expect(rest).toMatchObject({ next: null, results: [{ inputId: 'item-2' }] });
    expect(rest.results[0]?.content).toBe(page.results[0]?.content);
    for (const r of page.results) {
      expect(r).toMatchObject({ state: 'completed', passed: true });
      expect(frontmatter(r.content)['name']).toBe(r.name);
      expect(json<Report>(await call(batchClient, 'validate_agent', { content: r.content })).passed).toBe(true);
    }

    const unknown = await call(batchClient, 'batch_status', { id: 'b_nope' });
    expect(unknown.isError).toBe(true);
    expect(texts(unknown)[0]).toMatch(/no batch b_nope/);
    // Nothing failed: a retry puts nothing back; an unknown batch is an error that says so.
    expect(json(await call(batchClient, 'retry_batch', { id: batch.id }))).toEqual({ retried: 0, remaining: 0 });
    const retryUnknown = await call(batchClient, 'retry_batch', { id: 'b_nope' });
    expect(retryUnknown.isError).toBe(true);
    expect(texts(retryUnknown)[0]).toMatch(/no batch b_nope/);
    const bad = await call(batchClient, 'submit_batch', { requirements: [REQ, ''] });
    expect(bad.isError).toBe(true);
    expect(texts(bad)[0]).toMatch(/1 bad requirement\(s\), nothing was enqueued[\s\S]*requirements\[1\]/);
  }, 60_000);

  it('submit_batch takes a requirements file relative to the project', async () => {
    await writeFile(join(project, 'reqs.txt'), `${REQ}\nAudit React hooks for stale closures.\n`);
    const batch = json<{ name: string; inputs: number }>(await call(batchClient, 'submit_batch', { file: 'reqs.txt' }));
    expect(batch).toMatchObject({ name: 'reqs.txt', inputs: 2 });
  });
});

/** `agent-factory mcp --http` in the project, on a free loopback port; its URL and a stop. */
async function httpServer(env: NodeJS.ProcessEnv = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'mcp', '--http', '--port', '0'], { cwd: project, env: testEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const found = /MCP server at (\S+)/.exec(out)?.[1];
        if (found) resolve(found);
      });
      child.once('exit', (code) => reject(new Error(`mcp --http exited (${code})`)));
    });
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A raw POST to the endpoint with the Host header a browser would send after DNS rebinding, or a token. */
function rawPost(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

describe('agent-factory mcp --http', () => {
  it('serves the same tools over Streamable HTTP on loopback', async () => {
    const server = await httpServer();
    try {
      const { url } = server;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const http = new Client({ name: 'agent-factory-test', version: '1.0.0' });
      await http.connect(new StreamableHTTPClientTransport(new URL(url)));
      try {
        expect((await http.listTools()).tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
        const result = (await http.callTool({ name: 'generate_agent', arguments: { requirement: REQ } })) as CallToolResult;
        expect(frontmatter(texts(result)[0] ?? '')['name']).toMatch(/^[a-z0-9-]+$/);
        expect(json<{ report: Report }>(result, 1).report.passed).toBe(true);
      } finally {
        await http.close();
      }
      // Without a token only requests addressed to localhost are answered (no DNS rebinding from a web page).
      const rebound = await rawPost(url, { host: `attacker.example:${new URL(url).port}` });
      expect(rebound.status).toBe(403);
      expect(rebound.body).toMatch(/only answers requests addressed to localhost/);
      expect((await rawPost(url, { host: `localhost:${new URL(url).port}` })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('refuses a non-loopback bind without AF_API_TOKEN, as serve does', async () => {
    const open = await runCli(['mcp', '--http', '--host', '0.0.0.0', '--port', '0'], { cwd: project, env: { AF_API_TOKEN: '' } });
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without AF_API_TOKEN/);
    const short = await runCli(['mcp', '--http', '--port', '0'], { cwd: project, env: { AF_API_TOKEN: 'short' } });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/AF_API_TOKEN is too short/);
  });

  it('with AF_API_TOKEN every request must carry it', async () => {
    const token = 'mcp-test-token-0123456789abcdef';
    const server = await httpServer({ AF_API_TOKEN: token });
    try {
      const anonymous = await rawPost(server.url, {});
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/Bearer realm="agent-factory"/);
      expect((await rawPost(server.url, { authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
      const refused = new Client({ name: 'agent-factory-test', version: '1.0.0' });
      await expect(refused.connect(new StreamableHTTPClientTransport(new URL(server.url)))).rejects.toThrow(/401|Unauthorized|token/i);
      await refused.close();

      const http = new Client({ name: 'agent-factory-test', version: '1.0.0' });
      await http.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      try {
        expect((await http.listTools()).tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
      } finally {
        await http.close();
      }
    } finally {
      await server.stop();
    }
  });
});
