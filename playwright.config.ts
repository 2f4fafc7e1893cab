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
    // The same entry point as `npm start`, on the test port, serving the build `npm test` just made;
    // no browser test drives a sandbox host yet, so no agent.
    command: 'node scripts/start.mjs --no-build --site-only',
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { PORT: String(port) },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
