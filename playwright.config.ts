// Browser tests: Debian's Chromium against the built site served by wrangler dev.
import { defineConfig } from '@playwright/test';
import { testKeyPair } from './scripts/keys.mjs';
import { portFromEnv } from './scripts/local-env.mjs';

const port = portFromEnv('E2E_PORT', 8799);
const baseURL = `http://127.0.0.1:${port}`;

/**
 * The browser tests' keys: the control plane's (also for tests that ask an agent directly) and one
 * per agent. Derived from names, so every Playwright process (the config loads in each worker)
 * agrees on them; they guard nothing but a local test run.
 */
export const e2eControlPlaneKey = testKeyPair('e2e-control-plane').privateKey;
const e2eAgentKeys = { e2e: testKeyPair('e2e-agent-e2e'), 'e2e-b': testKeyPair('e2e-agent-e2e-b') };

/** An agent of the browser tests: its own bridge, state and port; the lab images are shared. */
function e2eAgent(id: keyof typeof e2eAgentKeys, agentPort: number, bridge: string, bridgeAddress: string) {
  return {
    DOCA_AGENT_ID: id,
    DOCA_AGENT_PORT: String(agentPort),
    DOCA_AGENT_KEY: JSON.stringify(e2eAgentKeys[id].privateKey),
    DOCA_CONTROL_PLANE_KEY: JSON.stringify(testKeyPair('e2e-control-plane').publicKey),
    DOCA_AGENT_CAPACITY: '8',
    DOCA_BRIDGE: bridge,
    DOCA_BRIDGE_ADDRESS: bridgeAddress,
    DOCA_STATE_DIR: `/var/lib/doca-${id}`,
    DOCA_MIRROR_DIR: '/var/lib/doca/mirror',
    DOCA_HOST_MEMORY: '1g',
    DOCA_HOST_DISK: '3g',
  };
}

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
  webServer: [
    {
      // The same entry point as `npm start`, on the test port, serving the build `npm test` just
      // made, with its own sandbox-host agent on its own bridge, state and agent port, so a platform
      // started with `npm start` and the sandbox tests' machine are left alone; the lab images are shared.
      name: 'platform',
      command: 'node scripts/start.mjs --no-build',
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 600_000, // the first image build on a fresh machine
      gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
      // The control plane knows both agents' public keys; start.mjs adds its own agent's.
      env: {
        PORT: String(port),
        ...e2eAgent('e2e', 7079, 'docae2e0', '10.215.0.1'),
        DOCA_WARM_POOL: '2:2',
        CONTROL_PLANE_KEY: JSON.stringify(e2eControlPlaneKey),
        AGENT_KEYS: JSON.stringify({ 'e2e-b': e2eAgentKeys['e2e-b'].publicKey }),
      },
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // A second agent reporting to the same control plane: the pool spreads learners over both.
      name: 'second agent',
      command: 'node sandbox-hosts/agent/main.ts',
      url: 'http://127.0.0.1:7080/health', // 401 without a token: up
      reuseExistingServer: false,
      timeout: 600_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
      env: { ...e2eAgent('e2e-b', 7080, 'docae2e1', '10.217.0.1'), DOCA_WARM_POOL: '', DOCA_CONTROL_PLANE_URL: baseURL },
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
