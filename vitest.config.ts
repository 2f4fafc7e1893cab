// Unit tests run in Node; the control plane's tests run inside workerd (worker/vitest.config.ts);
// the agent's own logic runs without Docker; the sandbox-host tests run as root against real Docker
// daemons, one file at a time.
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The agent's own logic — event parsing, terminals on a plain bash, learner sockets, the terminal
 * WebSocket, the machine preflight — needs neither Docker nor the machine's setup: these run without the global setup
 * (as root, for the socket ownership tests).
 */
const agentTests = [
  'sandbox-hosts/events/**/*.test.ts',
  'sandbox-hosts/system/**/*.test.ts',
  'sandbox-hosts/terminal/**/*.test.ts',
  'sandbox-hosts/agent/server.test.ts',
  'sandbox-hosts/agent/auth.test.ts',
  'sandbox-hosts/agent/config.test.ts',
  'sandbox-hosts/agent/last-resort.test.ts',
  'sandbox-hosts/agent/admission.test.ts',
  'sandbox-hosts/agent/activity-reporter.test.ts',
  'sandbox-hosts/sandbox/daemon-output.test.ts',
  'sandbox-hosts/checks/confirmation.test.ts',
  'sandbox-hosts/checks/hints-used.test.ts',
  'sandbox-hosts/flow/command-flows.test.ts',
  'sandbox-hosts/machine/preflight/**/*.test.ts',
  'sandbox-hosts/machine/shared-files.test.ts',
];

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
          name: 'agent',
          environment: 'node',
          include: agentTests,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'sandbox',
          environment: 'node',
          // The platform tests (tests/platform) run real agents beside the control plane: root, images, one file at a time too.
          include: ['sandbox-hosts/**/*.test.ts', 'tests/platform/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...agentTests],
          globalSetup: ['sandbox-hosts/test-support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
