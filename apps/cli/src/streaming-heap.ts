import { setFlagsFromString } from 'node:v8';

/**
 * Keeps a streaming producer's heap near its live set. A submit keeps little alive (the keys seen so
 * far and a few chunks in flight) but allocates ~18 KB of short-lived garbage per line, much of it
 * outliving a scavenge while its chunk is on the wire. V8 grows the old space up to 4× the live set
 * between full collections when they are cheap, which for a 100,000-line file means ~300 MB of RSS
 * that is mostly garbage; growing by half keeps it under 200 MB (BENCHMARKS.md, submit). V8 reads
 * this flag at each collection, so setting it once the process runs takes effect.
 */
export function boundHeapGrowth(percent = 50): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
