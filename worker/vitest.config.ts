// The control plane's tests run inside workerd with the bindings from wrangler.toml.
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

export default defineProject({
  plugins: [cloudflareTest({ wrangler: { configPath: fileURLToPath(new URL('../wrangler.toml', import.meta.url)) } })],
  test: {
    name: 'worker',
    include: ['**/*.test.ts'],
  },
});
