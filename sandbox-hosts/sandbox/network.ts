// A sandbox host's network: its own namespace with one veth on the machine's bridge, and a firewall
// inside that namespace (the learner has no power over it).
import { bridgeSubnet, type HostMachineConfig } from '../machine/config.ts';
import { check, succeeds } from '../system/shell.ts';

/** The daemon's TLS port, for the hosts of one session driving each other (`docker -H tcp://…`). */
export const daemonTLSPort = 2376;

export interface HostAddress {
  /** What the learner calls a host: host1, host2, host3. */
  name: string;
  /** Its IPv4 address on the bridge. */
  address: string;
}

type NetworkConfig = Pick<HostMachineConfig, 'DOCA_BRIDGE' | 'DOCA_BRIDGE_ADDRESS' | 'DOCA_MIRROR_PORT' | 'DOCA_HUB_PORT'>;

export async function createNetwork(config: NetworkConfig, names: { id: string; netns: string; hostVeth: string }, address: string, peers: readonly HostAddress[]): Promise<void> {
  const { gateway } = bridgeSubnet(config);
  const { netns, hostVeth } = names;
  const inside = `dn-${names.id}`;
  await check('ip', ['netns', 'add', netns]);
  await check('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', inside]);
  await check('ip', ['link', 'set', inside, 'netns', netns]);
  await check('ip', ['-n', netns, 'link', 'set', inside, 'name', 'eth0']);
  await check('ip', ['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
  await check('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
  await check('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  await check('ip', ['link', 'set', hostVeth, 'master', config.DOCA_BRIDGE, 'up']);
  const inNetns = ['--net=/run/netns/' + netns];
  // No IPv6: the firewall below is IPv4 only. Unprivileged ping lets `ping` work in containers.
  await check('nsenter', [...inNetns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo "0 2147483647" > /proc/sys/net/ipv4/ping_group_range']);
  const allowed = [config.DOCA_MIRROR_PORT, config.DOCA_HUB_PORT];
  await check('nsenter', [...inNetns, 'iptables-restore'], { input: sandboxFirewall(gateway, allowed, peers.map((peer) => peer.address)) });
}

export async function removeNetwork(names: { netns: string; hostVeth: string }): Promise<void> {
  if (await succeeds('ip', ['netns', 'pids', names.netns])) await check('ip', ['netns', 'del', names.netns]);
  // Deleting the namespace takes its veth pair along, but the host end may linger for a moment.
  await check('ip', ['link', 'del', names.hostVeth]).catch(() => undefined);
}

/**
 * The host's own firewall, inside its network namespace: it may reach the Docker Hub mirror and
 * stand-in and the daemons of its own session, and be reached by those and by the agent; nothing
 * else. Refusals are immediate (REJECT) so that a blocked request fails fast.
 */
export function sandboxFirewall(gateway: string, gatewayPorts: readonly number[], peers: readonly string[]): string {
  const lines = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT DROP [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    `-A INPUT -s ${gateway}/32 -j ACCEPT`,
    ...peers.map((peer) => `-A INPUT -s ${peer}/32 -p tcp --dport ${daemonTLSPort} -j ACCEPT`),
    '-A INPUT -p tcp -j REJECT --reject-with tcp-reset',
    '-A INPUT -j REJECT --reject-with icmp-admin-prohibited',
    '-A OUTPUT -o lo -j ACCEPT',
    '-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    ...gatewayPorts.map((port) => `-A OUTPUT -d ${gateway}/32 -p tcp --dport ${port} -j ACCEPT`),
    ...peers.map((peer) => `-A OUTPUT -d ${peer}/32 -p tcp --dport ${daemonTLSPort} -j ACCEPT`),
    '-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset',
    '-A OUTPUT -j REJECT --reject-with icmp-admin-prohibited',
    'COMMIT',
    '',
  ];
  return lines.join('\n');
}
