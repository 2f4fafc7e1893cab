// An agent that restarts removes what the previous run left: nothing of its sessions survives.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, succeeds } from '../system/shell.ts';
import { firewallChains } from '../machine/network.ts';
import { createTestSession, sandboxHosts, testConfig } from '../test-support/test-machine.ts';
import { removeLeftovers } from './leftovers.ts';

describe('an agent restart', () => {
  it('removes the sandbox hosts and peer rules a previous run left behind', async () => {
    const session = await createTestSession(2); // as if the previous agent died holding it
    const removed = await removeLeftovers(sandboxHosts);
    expect(removed.sort()).toEqual(session.hosts.map((host) => host.id).sort());
    for (const host of session.hosts) {
      expect(await succeeds('id', [host.user])).toBe(false);
      expect(existsSync(sandboxHosts.names(host.id).dir)).toBe(false);
    }
    const { peers } = firewallChains(testConfig.DOCA_BRIDGE);
    expect((await check('iptables', ['-S', peers])).stdout.trim()).toBe(`-N ${peers}`);
    expect(await sandboxHosts.ids()).toEqual([]);
  });
});
