import { defineConfig } from 'vitest/config'

// Two projects: fast unit/contract tests, and browser end-to-end tests that need a build and Chromium.
// The CI machine has 2 cores, so the unit project caps its workers to keep native ONNX work from thrashing.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // expect.poll gives up after 1 s by default: far too little for a page on a loaded 2-core
          // machine (a reports preview test failed that way), so every poll waits up to a minute.
          expect: { poll: { timeout: 60_000, interval: 100 } },
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
    ],
  },
})
