import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The abuse suite (`npm run test:abuse`, run apart by .ci/run): the default config's source aliases,
// but only test/abuse.
// The three files overlap: one spawns CLI processes while another serves HTTP in-process.
const merged = mergeConfig(base, defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000, fileParallelism: true, maxWorkers: 3 } }));
// mergeConfig concatenates arrays, which would keep the default include and its exclude of test/abuse:
// the file lists are replaced instead.
merged.test = { ...merged.test, include: ['test/abuse/**/*.test.ts'], exclude: [...configDefaults.exclude] };

export default merged;
