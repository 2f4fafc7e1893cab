// Unit tests run in Node; the control plane's tests run inside workerd (worker/vitest.config.ts);
// the sandbox-host tests run as root against real Docker daemons, one file at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'protocol/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      './worker/vitest.config.ts',
      {
        test: {
          name: 'sandbox',
          environment: 'node',
          include: ['sandbox-hosts/**/*.test.ts'],
          globalSetup: ['sandbox-hosts/test-support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
