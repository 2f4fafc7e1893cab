// The control plane's tests run inside workerd with the bindings from wrangler.toml, D1 migrated,
// test secrets, and stand-in agents as the outbound network (test-support/fake-agents.ts).
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';
import { fakeAgents } from './test-support/fake-agents';

/** The same secret test-support/clients.ts signs heartbeats with. */
const testAgentSecret = 'test-agent-secret-of-at-least-32-bytes';

export default defineProject({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: fileURLToPath(new URL('../wrangler.toml', import.meta.url)) },
      miniflare: {
        bindings: {
          AGENT_SECRET: testAgentSecret,
          COOKIE_SECRET: 'test-cookie-secret',
          // Short, so a stand-in that answers late is a slow agent within a test's time.
          AGENT_CALL_TIMEOUT_MS: '500',
          TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url))),
        },
        outboundService: fakeAgents(testAgentSecret) as never,
      },
    })),
  ],
  test: {
    name: 'worker',
    include: ['**/*.test.ts'],
    setupFiles: ['./test-support/apply-migrations.ts'],
  },
});
