import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis.js';

export interface TestRedisCluster {
  /** Comma-separated seed nodes, as REDIS_URL takes them for a cluster. */
  url: string;
  /** Stops the master that holds `key`'s slot (SIGTERM: with AOF on, it keeps its data), runs `whileDown`, and starts it again `downMs` after it stopped. */
  restartNodeOf(key: string, downMs: number, whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Three private `redis-server --cluster-enabled yes` masters joined with `redis-cli --cluster
 * create` (no replicas), on free ports with a temporary data dir. Needs redis-server and redis-cli.
 */
export async function startRedisCluster(options: { appendonly?: boolean } = {}): Promise<TestRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'af-cluster-'));
  // The kernel may hand the same free port out twice in a row: three distinct ones are needed.
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const children = new Map<number, ChildProcess>();
  const start = (port: number): void => {
    const nodeDir = join(dir, String(port));
    const aof = options.appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    children.set(
      port,
      spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf'), '--save', '', ...aof, '--maxmemory-policy', 'noeviction'],
        { stdio: 'ignore' },
      ),
    );
  };
  for (const port of ports) {
    await mkdir(join(dir, String(port)));
    start(port);
  }
  const exited = (c: ChildProcess): Promise<void> => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
  const cli = (args: string[], input?: string) => spawnSync('redis-cli', args, { encoding: 'utf8', input });
  for (const port of ports) {
    while (cli(['-p', String(port), 'ping']).stdout.trim() !== 'PONG') await sleep(50);
  }
  const created = cli(['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  const clusterOk = async (): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!ports.every((p) => cli(['-p', String(p), 'cluster', 'info']).stdout.includes('cluster_state:ok'))) {
      if (Date.now() > deadline) throw new Error('the test cluster did not become ok');
      await sleep(100);
    }
  };
  await clusterOk();
  /** The port of the master whose slot ranges (CLUSTER NODES) hold `slot`. */
  const ownerOf = (slot: number): number => {
    for (const line of cli(['-p', String(ports[0]), 'cluster', 'nodes']).stdout.split('\n')) {
      const [, address = '', flags = '', , , , , , ...ranges] = line.split(' ');
      if (!flags.includes('master')) continue;
      const owns = ranges.some((r) => {
        const [from = -1, to = from] = r.split('-').map(Number);
        return slot >= from && slot <= to;
      });
      if (owns) return Number(address.split('@')[0]?.split(':')[1]);
    }
    throw new Error(`no master holds slot ${slot}`);
  };
  return {
    url: ports.map((p) => `127.0.0.1:${p}`).join(','),
    async restartNodeOf(key, downMs, whileDown) {
      const port = ownerOf(Number(cli(['-p', String(ports[0]), 'cluster', 'keyslot', key]).stdout.trim()));
      const child = children.get(port)!;
      child.kill('SIGTERM');
      await exited(child);
      await Promise.all([sleep(downMs), whileDown?.()]);
      start(port);
      while (cli(['-p', String(port), 'ping']).stdout.trim() !== 'PONG') await sleep(50);
      await clusterOk();
    },
    async stop() {
      await Promise.all([...children.values()].map((c) => (c.kill('SIGKILL'), exited(c))));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
