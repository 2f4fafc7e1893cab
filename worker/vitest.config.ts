// The control plane's tests run inside workerd with the bindings from wrangler.toml, D1 migrated,
// keys made for the run, and stand-in agents as the outbound network (test-support/fake-agents.ts).
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';
import { newKeyPair } from '../protocol/keys.ts';
import { fakeAgents, testAgentIDs } from './test-support/fake-agents';

/** The control plane's key pair, and one per stand-in agent: the registry knows each agent's public key. */
const controlPlaneKeys = await newKeyPair();
const agentKeys = new Map(await Promise.all(testAgentIDs.map(async (id) => [id, await newKeyPair()] as const)));

export default defineProject({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: fileURLToPath(new URL('../wrangler.toml', import.meta.url)) },
      miniflare: {
        bindings: {
          CONTROL_PLANE_KEY: JSON.stringify(controlPlaneKeys.privateKey),
          AGENT_KEYS: JSON.stringify(Object.fromEntries([...agentKeys].map(([id, pair]) => [id, pair.publicKey]))),
          COOKIE_SECRET: 'test-cookie-secret',
          // Short, so a stand-in that answers late is a slow agent within a test's time.
          AGENT_CALL_TIMEOUT_MS: '500',
          TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url))),
        },
        outboundService: fakeAgents(controlPlaneKeys.publicKey, agentKeys) as never,
      },
    })),
  ],
  test: {
    name: 'worker',
    include: ['**/*.test.ts'],
    setupFiles: ['./test-support/apply-migrations.ts'],
  },
});
