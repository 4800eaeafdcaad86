import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// mergeConfig concatenates arrays, and the base config's include/exclude name every test but these
// (it excludes test/faults/**): this suite replaces both instead of adding to them.
const { include: _include, exclude: _exclude, ...baseTest } = base.test ?? {};

export default mergeConfig(
  { ...base, test: baseTest },
  defineConfig({
    test: {
      include: ['test/faults/**/*.test.ts'],
      exclude: [...configDefaults.exclude],
      // Each case starts its own Redis and worker processes on a 2-core machine: one file at a time,
      // so a case's timings measure its faults, not its neighbours.
      fileParallelism: false,
      testTimeout: 300_000,
      hookTimeout: 60_000,
    },
  }),
);
