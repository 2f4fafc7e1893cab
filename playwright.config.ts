// Browser tests: Debian's Chromium against the built site served by wrangler dev.
import { defineConfig } from '@playwright/test';
import { portFromEnv } from './scripts/local-env.mjs';

const port = portFromEnv('E2E_PORT', 8799);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: '.test-results/playwright',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: 'list',
  timeout: 30_000,
  use: {
    baseURL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--disable-dev-shm-usage',
      ],
    },
  },
  webServer: {
    // The same entry point as `npm start`, on the test port, serving the build `npm test` just made,
    // with its own sandbox-host agent on its own bridge, state and agent port, so a platform
    // started with `npm start` and the sandbox tests' machine are left alone; the lab images are shared.
    command: 'node scripts/start.mjs --no-build',
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 600_000, // the first image build on a fresh machine
    env: {
      PORT: String(port),
      DOCA_AGENT_PORT: '7079',
      DOCA_AGENT_ID: 'e2e',
      DOCA_BRIDGE: 'docae2e0',
      DOCA_BRIDGE_ADDRESS: '10.215.0.1',
      DOCA_STATE_DIR: '/var/lib/doca-e2e',
      DOCA_RUN_DIR: '/run/doca-e2e',
      DOCA_MIRROR_DIR: '/var/lib/doca/mirror',
      DOCA_AGENT_CAPACITY: '8',
      DOCA_WARM_POOL: '2:2',
      DOCA_HOST_MEMORY: '1g',
      DOCA_HOST_DISK: '3g',
    },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
