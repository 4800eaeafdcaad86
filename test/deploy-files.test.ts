import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NO_REDIS_HELP } from '../apps/cli/src/local-redis.js';
import { workerSettings } from '../apps/worker/src/worker-settings.js';

const root = new URL('../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { strict: true }) as {
  services: Record<string, { image?: string; build?: string; command?: string[]; ports?: string[]; environment?: Record<string, string>; healthcheck?: unknown; depends_on?: Record<string, { condition: string }> }>;
};

describe('docker-compose.yml', () => {
  it('runs Redis with AOF and noeviction, and a health check the others wait for', () => {
    const redis = compose.services['redis'];
    expect(redis?.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(redis?.healthcheck).toBeDefined();
    for (const name of ['server', 'worker']) expect(compose.services[name]?.depends_on?.['redis']?.condition).toBe('service_healthy');
  });

  // The Quick start has users install redis-server, which holds 6379: compose must not need that port.
  // Redis has no password here, so it is reachable from this machine only.
  it("publishes Redis on loopback only, and not on a local redis-server's 6379", () => {
    const ports = compose.services['redis']?.ports ?? [];
    for (const port of ports) {
      expect(port).toMatch(/^127\.0\.0\.1:\d+:6379$/);
      expect(port).not.toMatch(/^127\.0\.0\.1:6379:/);
    }
  });

  it('builds server and worker from the Dockerfile and points both at the redis service', () => {
    for (const name of ['server', 'worker']) {
      expect(compose.services[name]?.build).toBe('.');
      expect(compose.services[name]?.environment?.['REDIS_URL']).toBe('redis://redis:6379');
    }
    expect(compose.services['server']?.command?.[0]).toBe('serve');
    expect(compose.services['worker']?.command?.[0]).toBe('worker');
  });

  it('requires an API token for the public server bind', () => {
    expect(compose.services['server']?.environment?.['AF_API_TOKEN']).toMatch(/^\$\{AF_API_TOKEN:\?/);
  });

  it("passes the provider's, rate limits' and research's settings from .env to the workers", () => {
    const env = compose.services['worker']?.environment ?? {};
    for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'AF_RATE_LIMIT', 'AF_RESEARCH', 'CONTEXT7_API_KEY']) {
      expect(env[name], name).toBe(`\${${name}:-}`);
    }
  });

  it('starts a worker with every variable .env leaves out (compose passes it as an empty string)', () => {
    const env = compose.services['worker']?.environment ?? {};
    const interpolated = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value).replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));
    const settings = workerSettings(interpolated);
    expect(settings.llm.provider).toBe('offline');
    expect(settings.research).toBe('local');
    expect(settings.queue.rateLimit).toBeUndefined();
  });

  it('restarts every service after a crash or a reboot, and passes the retention settings to every process that writes batches', () => {
    for (const name of ['redis', 'server', 'worker']) expect((compose.services[name] as Record<string, unknown>)['restart'], name).toBe('unless-stopped');
    for (const name of ['server', 'worker']) {
      for (const variable of ['AF_RETENTION_SECONDS', 'AF_KEEP_COMPLETED']) expect(compose.services[name]?.environment?.[variable], `${name} ${variable}`).toBe(`\${${variable}:-}`);
    }
  });

  it('counts Redis healthy on PONG only, and the server on /healthz', () => {
    expect(compose.services['redis']?.healthcheck).toMatchObject({ test: ['CMD-SHELL', 'redis-cli ping | grep -q PONG'] });
    expect(JSON.stringify(compose.services['server']?.healthcheck)).toContain('http://127.0.0.1:3000/healthz');
  });

  it('has no fixed container name or port on the worker, so it can scale', () => {
    const worker = compose.services['worker'] as Record<string, unknown>;
    expect(worker['container_name']).toBeUndefined();
    expect(worker['ports']).toBeUndefined();
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(new URL('Dockerfile', root), 'utf8');
  it('installs with npm ci, drops dev dependencies and runs the CLI as a non-root user', () => {
    expect(text).toMatch(/npm ci/);
    expect(text).toMatch(/npm prune --omit=dev/);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/ENTRYPOINT \["node", "\/app\/apps\/cli\/bin\/agent-factory.js"\]/);
  });

  // generate writes .claude/agents/ and start out/agents/ into the working directory.
  it('runs in a working directory the node user owns', () => {
    const final = text.slice(text.lastIndexOf('\nFROM '));
    const beforeUser = final.slice(0, final.search(/^USER node$/m));
    const workdir = [...beforeUser.matchAll(/^WORKDIR (\S+)$/gm)].at(-1)?.[1];
    expect(workdir).toBeDefined();
    expect(beforeUser).toMatch(new RegExp(`^RUN .*chown node:node ${workdir}( |$)`, 'm'));
  });
});

/** A .dockerignore pattern as a RegExp over a context-relative path: `*` and `?` stay within one name, `**` spans any number of directories. */
function dockerPattern(pattern: string): RegExp {
  const segments = pattern.replace(/^\/+/, '').split('/');
  const source = segments
    .map((segment, i) => {
      const last = i === segments.length - 1;
      if (segment === '**') return last ? '.*' : '(?:[^/]+/)*';
      const name = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
      return last ? name : `${name}/`;
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** Docker's rule: the last pattern matching the path or a directory above it decides; `!` re-includes. */
function dockerignored(patterns: readonly string[], path: string): boolean {
  const parts = path.split('/');
  const paths = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const line of patterns) {
    const negate = line.startsWith('!');
    const re = dockerPattern(negate ? line.slice(1) : line);
    if (paths.some((p) => re.test(p))) ignored = !negate;
  }
  return ignored;
}

describe('.dockerignore', () => {
  const patterns = readFileSync(new URL('.dockerignore', root), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const workspaces = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { workspaces: string[] }).workspaces;

  it('matches the way Docker does', () => {
    expect(dockerignored(['**/dist'], 'dist')).toBe(true);
    expect(dockerignored(['**/dist'], 'packages/core/dist/index.js')).toBe(true);
    expect(dockerignored(['*.tsbuildinfo'], 'packages/core/tsconfig.tsbuildinfo')).toBe(false);
    expect(dockerignored(['out'], 'apps/out')).toBe(false);
    expect(dockerignored(['out', '!out/keep'], 'out/keep')).toBe(false);
  });

  // A host build's tsbuildinfo in the context tells the image's `tsc -b` that everything is built
  // (with no dist there): the image would ship without the compiled CLI.
  it("keeps every workspace's build output and build info out of the image's build context", () => {
    for (const ws of workspaces) {
      expect(dockerignored(patterns, `${ws}/dist`), `${ws}/dist`).toBe(true);
      expect(dockerignored(patterns, `${ws}/tsconfig.tsbuildinfo`), `${ws}/tsconfig.tsbuildinfo`).toBe(true);
    }
    // And whatever this checkout's build left elsewhere.
    const leaks: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(new URL(dir || '.', root), { withFileTypes: true })) {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (dockerignored(patterns, path)) continue;
        if (entry.name === 'dist' || entry.name.endsWith('.tsbuildinfo')) leaks.push(path);
        else if (entry.isDirectory()) walk(path);
      }
    };
    walk('');
    expect(leaks).toEqual([]);
  });

  it('sends what the Dockerfile copies, and not the .env with the tokens', () => {
    expect(dockerignored(patterns, '.env'), '.env').toBe(true);
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'packages/core/src/index.ts', 'apps/cli/bin/agent-factory.js', 'examples/requirements.jsonl']) {
      expect(dockerignored(patterns, path), path).toBe(false);
    }
  });
});

describe("README's Deployment steps", () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const section = readme.slice(readme.indexOf('## Deployment'));
  const steps = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const composeText = readFileSync(new URL('docker-compose.yml', root), 'utf8');

  // Compose interpolates the whole file for every command, so each `docker compose` line needs every
  // `${NAME:?…}` variable: from .env, which compose reads, not from one command's own environment.
  it('leave a .env with every variable compose requires, print the token, and keep .env out of git', () => {
    const required = [...composeText.matchAll(/\$\{(\w+):\?/g)].map((m) => String(m[1]));
    expect(required).toContain('AF_API_TOKEN');
    expect(steps).toMatch(/^docker compose up -d$/m);
    expect(steps).toMatch(/^docker compose up -d --scale worker=\d+/m);
    for (const line of steps.split('\n').filter((l) => /^\s*docker compose/.test(l))) {
      expect(line, 'a compose command with its own variables: the next one would not have them').not.toMatch(/^\s*\w+=/);
    }
    const dir = mkdtempSync(join(tmpdir(), 'af-compose-'));
    try {
      const script = steps.split('\n').filter((l) => !/^\s*docker\b/.test(l)).join('\n');
      const run = spawnSync('bash', ['-euc', script], { cwd: dir, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const env = Object.fromEntries(
        readFileSync(join(dir, '.env'), 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      for (const name of required) expect(env[name], name).toBeTruthy();
      expect(env['AF_API_TOKEN']?.length).toBeGreaterThanOrEqual(16);
      expect(run.stdout, 'the token logs in: the user must see it').toContain(env['AF_API_TOKEN']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const ignored = spawnSync('git', ['check-ignore', '-q', '--no-index', '.env'], { cwd: fileURLToPath(root) });
    expect(ignored.status, '.env is git-ignored').toBe(0);
  });
});

describe('the hint when there is no Redis', () => {
  // `start` looks for Redis on 127.0.0.1:6379, and workers refuse a Redis that may evict.
  it('starts a Redis where start looks for one, with noeviction, needing nothing else', () => {
    const command = /`(docker [^`]+)`/.exec(NO_REDIS_HELP)?.[1] ?? '';
    expect(command).toMatch(/^docker run /);
    expect(command).toMatch(/-p 127\.0\.0\.1:6379:6379 /);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
  });
});
