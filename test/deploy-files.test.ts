import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { strict: true }) as {
  services: Record<string, { image?: string; build?: string; command?: string[]; environment?: Record<string, string>; healthcheck?: unknown; depends_on?: Record<string, { condition: string }> }>;
};

describe('docker-compose.yml', () => {
  it('runs Redis with AOF and noeviction, and a health check the others wait for', () => {
    const redis = compose.services['redis'];
    expect(redis?.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(redis?.healthcheck).toBeDefined();
    for (const name of ['server', 'worker']) expect(compose.services[name]?.depends_on?.['redis']?.condition).toBe('service_healthy');
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
    expect(compose.services['server']?.environment?.['AF_API_TOKEN']).toMatch(/:\?/);
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
    expect(text).toMatch(/ENTRYPOINT \["node", "apps\/cli\/bin\/agent-factory.js"\]/);
  });
});
