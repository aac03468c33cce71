import { defineConfig } from 'vitest/config';

/**
 * Three kinds of tests, run one kind after the other (groupOrder) by `npm test`:
 *   unit         *.test.ts            pure logic, fakes allowed, no processes
 *   integration  *.int.test.ts        real mediasoup workers, real Redis
 *   browser      *.e2e.test.ts        real Chromium driving the real client
 * Integration and browser tests share one real redis-server started by
 * test/globalSetup.ts; each test app uses its own key prefix.
 */
/**
 * The deployment stack test (test/deploy/: podman builds the images and runs
 * the compose stack) is not in `npm test`'s run: it runs on its own with
 * `npm run test:deploy`, or when its path is given to vitest.
 */
const DEPLOY_STACK = 'test/deploy/**';
const deployAsked = process.argv.some((arg) => arg.includes('test/deploy/'));

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['{sfu,signaling,client,turn}/**/*.test.ts', 'test/fuzz/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts', '**/*.e2e.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['{sfu,signaling,client,turn}/**/*.int.test.ts', 'test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', ...(deployAsked ? [] : [DEPLOY_STACK])],
          globalSetup: ['test/globalSetup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // Each file starts its own mediasoup workers: one file at a time on 2 cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          sequence: { groupOrder: 2 },
          include: ['{sfu,signaling,client,turn}/**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/globalSetup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
