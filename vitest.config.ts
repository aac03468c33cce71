import { defineConfig } from 'vitest/config';

/**
 * Three kinds of tests, run one kind after the other (groupOrder) by `npm test`:
 *   unit         *.test.ts            pure logic, fakes allowed, no processes
 *   integration  *.int.test.ts        real mediasoup workers, real Redis
 *   browser      *.e2e.test.ts        real Chromium driving the real client
 * Integration and browser tests share one real redis-server started by
 * test/globalSetup.ts; each test app uses its own key prefix.
 *
 * Integration files run two at a time (project "integration"): most wait on
 * Redis, timers, rings and grace periods rather than on the CPU, and each is
 * independent of the others (its own key prefix, ports picked by the system
 * or at random, temp dirs of its own, no process-wide env change). The few
 * listed in INTEGRATION_ALONE run afterwards one at a time (project
 * "integration-alone"): they bound something a second file beside them
 * would disturb. `npx vitest run --project 'integration*'` runs both.
 */
const UNIT = ['{sfu,signaling,client,turn}/**/*.test.ts', 'test/fuzz/**/*.test.ts', 'scripts/**/*.test.ts'];
/**
 * Unit files that replace a module (vi.mock) run in a process of their own: in the shared
 * worker, a module already imported by an earlier file would not be replaced.
 * scripts/unitIsolation.test.ts fails when a file that calls vi.mock is missing here.
 */
export const UNIT_ISOLATED = ['client/src/room/MediaPrewarm.test.ts'];

const INTEGRATION = ['{sfu,signaling,client,turn}/**/*.int.test.ts', 'test/**/*.int.test.ts'];
/** Integration files that run alone, each with why. */
const INTEGRATION_ALONE = [
  // Two Chromium pages in a meeting through a server process under 100,000 fuzzed frames: media
  // gaps, /healthz answer times and the heap's return to its baseline are bounded.
  'test/fuzz.int.test.ts',
  // The net lab's link emulator (a python process) is checked for its delays, rates and losses.
  'test/netlab/**/*.int.test.ts',
  // Answers within 500 ms (+ 2 s) while its Redis is stopped.
  'signaling/src/redis/bounded.int.test.ts',
  // The deployment (podman builds the images and runs docker-compose.yml): it publishes fixed
  // ports (80, 443, 40000-40001) and its image build takes both cores when a layer is rebuilt.
  'test/deploy/**/*.int.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: UNIT,
          exclude: ['**/node_modules/**', '**/*.int.test.ts', '**/*.e2e.test.ts', ...UNIT_ISOLATED],
          environment: 'node',
          // One worker process for all the unit files rather than a process (and its imports) per
          // file: ~110 small files spent most of their time starting. A unit test leaves no global
          // state behind (fake timers restored, marks cleared); the modules it imports are shared.
          isolate: false,
        },
      },
      {
        test: {
          name: 'unit-isolated',
          sequence: { groupOrder: 0 },
          include: UNIT_ISOLATED,
          environment: 'node',
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: INTEGRATION,
          exclude: ['**/node_modules/**', ...INTEGRATION_ALONE],
          globalSetup: ['test/globalSetup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // Two files at a time on 2 cores (each starts its own mediasoup workers).
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'integration-alone',
          sequence: { groupOrder: 2 },
          include: INTEGRATION_ALONE,
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/globalSetup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          sequence: { groupOrder: 3 },
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
