import { defineConfig } from 'vitest/config';

/** The process-level fault suite (npm run test:faults): real child processes, one file at a time. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    // Latency bounds across real processes can be hit by a scheduling hiccup on a 2-core machine: one retry.
    retry: 1,
  },
});
