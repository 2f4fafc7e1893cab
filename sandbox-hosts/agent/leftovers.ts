// Sessions do not outlive the agent that made them: at start and at stop, every sandbox host the
// machine still holds is removed, along with the rules that joined the hosts of a session.
import { check, succeeds } from '../system/shell.ts';
import { firewallChains } from '../machine/network.ts';
import type { SandboxHosts } from '../sandbox/sandbox-host.ts';

export async function removeLeftovers(hosts: SandboxHosts): Promise<string[]> {
  const ids = await hosts.ids();
  for (const id of ids) await hosts.destroy(id);
  const { peers } = firewallChains(hosts.config.DOCA_BRIDGE);
  if (await succeeds('iptables', ['-n', '-L', peers])) await check('iptables', ['-F', peers]);
  return ids;
}
