import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources; spawned CLI processes run the build that `npm test` makes first.
    alias: {
      '@agent-factory/core': src('./packages/core/src/index.ts'),
      // Before the package's own name, which would otherwise match its subpath as a prefix.
      '@agent-factory/research/serve': src('./packages/research/src/serve.ts'),
      '@agent-factory/research': src('./packages/research/src/index.ts'),
      '@agent-factory/sim': src('./packages/sim/src/index.ts'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The fault and abuse suites are slow and run on their own (npm run test:faults / test:abuse).
    exclude: [...configDefaults.exclude, 'test/abuse/**', 'test/faults/**'],
    // One worker process runs file after file with its modules loaded once: re-importing the packages
    // for each of ~80 files cost about 4 minutes of the suite. Files share no state but what they start.
    isolate: false,
    testTimeout: 30_000,
    // Hooks start and stop real processes: a worker's graceful shutdown may take its whole grace period
    // (10 s by default) on a loaded machine, vitest's default hook limit.
    hookTimeout: 30_000,
  },
});
