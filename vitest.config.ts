import { defineConfig } from 'vitest/config';

// One project per suite so `npm test` and `npm run test:e2e` can pick them.
// test/setup/tools.ts puts the real helm/kubectl from .tools/bin on PATH.
const shared = { setupFiles: ['test/setup/tools.ts'], restoreMocks: true };

// CI (.ci/run) sets RGSD_TEST_REPORT to also get a JSON report it can summarise as one
// plain `N passed, N failed` line.
const report = process.env.RGSD_TEST_REPORT;

export default defineConfig({
  test: {
    ...(report ? { reporters: ['default', 'json'], outputFile: { json: report } } : {}),
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // hooks get the tests' deadlines (vitest's own is 10 s): the scripts harness's cleanup
      // waits up to 30 s for an entrypoint to stop and 30 s for its tree to go, and a shared CI
      // machine took longer than 10 s for it once
      { test: { ...shared, name: 'cli', include: ['test/cli/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      { test: { ...shared, name: 'chart', include: ['test/chart/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      {
        test: { ...shared, name: 'scripts', include: ['test/scripts/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 120_000 },
      },
      {
        test: {
          ...shared,
          name: 'image',
          include: ['test/image/**/*.test.ts'],
          testTimeout: 1_800_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          ...shared,
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // brings the local cluster up (scripts/local-cluster) and provides its kubeconfig
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 1_200_000,
          hookTimeout: 3_600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
