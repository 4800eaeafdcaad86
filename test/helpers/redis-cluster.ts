import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis.js';

export interface TestRedisCluster {
  /** Comma-separated seed nodes, as REDIS_URL takes them for a cluster. */
  url: string;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Three private `redis-server --cluster-enabled yes` masters joined with `redis-cli --cluster
 * create` (no replicas), on free ports with a temporary data dir. Needs redis-server and redis-cli.
 */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'af-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  for (const port of ports) {
    const nodeDir = join(dir, String(port));
    await mkdir(nodeDir);
    children.push(
      spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf'), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
        { stdio: 'ignore' },
      ),
    );
  }
  const cli = (args: string[], input?: string) => spawnSync('redis-cli', args, { encoding: 'utf8', input });
  for (const port of ports) {
    while (cli(['-p', String(port), 'ping']).stdout.trim() !== 'PONG') await sleep(50);
  }
  const created = cli(['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  const deadline = Date.now() + 15_000;
  while (!ports.every((p) => cli(['-p', String(p), 'cluster', 'info']).stdout.includes('cluster_state:ok'))) {
    if (Date.now() > deadline) throw new Error('the test cluster did not become ok');
    await sleep(100);
  }
  return {
    url: ports.map((p) => `127.0.0.1:${p}`).join(','),
    async stop() {
      await Promise.all(
        children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : (c.once('exit', () => resolve()), c.kill('SIGKILL'))))),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
