import { runTimed, startBenchRedis, CLI, mb } from './harness.js';
const r = await startBenchRedis();
const env = { REDIS_URL: r.url, AF_PREFIX: '{afbench}', LOG_LEVEL: 'warn' };
for (const extra of [[], ['--max-old-space-size=120'], ['--max-semi-space-size=1'], ['--cpu-prof', '--cpu-prof-dir=/tmp/afprof']]) {
  await r.flush();
  const o = await runTimed([...extra, CLI, 'submit', '/tmp/afprof/req.jsonl', '--json'], env);
  console.log(extra.join(' '), o.code, o.seconds.toFixed(2), mb(o.peakRss), o.code ? o.stderr.slice(-500) : '');
}
console.log((await r.client.info('memory')).match(/used_memory_human:\S+/)?.[0]);
await r.stop();
