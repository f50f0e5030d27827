import { defineConfig } from 'vitest/config';

// One `npm test` runs everything: fast unit tests beside their files, and the
// end-to-end suites under test/ that start real processes and sockets.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{api,control-plane,data-plane,sdk}/**/*.test.ts'],
          testTimeout: 30_000,
          setupFiles: ['test/setup/fast-check.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          setupFiles: ['test/setup/fast-check.ts'],
          // End-to-end files start brokers and child processes; on a 2-core
          // machine running them one at a time keeps them deterministic.
          fileParallelism: false,
        },
      },
    ],
  },
});
