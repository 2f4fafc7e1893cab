// What Docker Hub would refuse, a sandbox refuses the same way, at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, learnerShell, sandboxHosts } from '../test-support/test-machine.ts';
import type { SandboxHostRecord } from './sandbox-host.ts';

describe('Docker Hub, as a sandbox sees it', () => {
  let host: SandboxHostRecord;
  beforeAll(async () => {
    host = await createTestHost();
  });
  afterAll(() => sandboxHosts.destroy(host.id));

  it('refuses an unprefixed docker push with access denied, not a DNS error', async () => {
    const result = await learnerShell(host, 'tar cf - --files-from /dev/null | docker import - minhaimagem:1.0 >/dev/null && docker push minhaimagem:1.0 2>&1; echo "exit=$?"');
    expect(result.stdout).toContain('denied: requested access to the resource is denied');
    expect(result.stdout).toContain('exit=1');
    expect(result.stdout).not.toMatch(/no such host|lookup/i);
  });

  it('answers a pull of an image it does not hold with pull access denied', async () => {
    const result = await learnerShell(host, 'docker pull imagem-que-nao-existe 2>&1; echo "exit=$?"');
    expect(result.stdout).toMatch(/pull access denied for imagem-que-nao-existe/);
    expect(result.stdout).toContain('exit=1');
  });
});
