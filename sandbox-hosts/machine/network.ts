// The host side of sandbox networking: one bridge for every sandbox host's namespace, and host
// firewall chains so sandboxes reach the host only at the Docker Hub mirror and each other not at all.
import { readFile, writeFile } from 'node:fs/promises';
import { check, succeeds } from '../system/shell.ts';
import { bridgeSubnet, type HostMachineConfig } from './config.ts';

type NetworkConfig = Pick<HostMachineConfig, 'DOCA_BRIDGE' | 'DOCA_BRIDGE_ADDRESS' | 'DOCA_MIRROR_PORT' | 'DOCA_HUB_PORT'>;

/**
 * The host firewall chains of one bridge, named after it so that two configurations on one machine
 * (the platform and the tests) never touch each other's rules. `peers` holds the rules that let the
 * hosts of one session reach each other's daemon, added and removed per session.
 */
export function firewallChains(bridge: string) {
  return { input: `${bridge}-INPUT`, forward: `${bridge}-FORWARD`, peers: `${bridge}-PEERS` };
}

export async function ensureHostNetwork(config: NetworkConfig): Promise<void> {
  const bridge = config.DOCA_BRIDGE;
  if (!(await succeeds('ip', ['link', 'show', bridge]))) {
    await check('ip', ['link', 'add', bridge, 'type', 'bridge']);
  }
  const addresses = (await check('ip', ['-4', '-o', 'addr', 'show', 'dev', bridge])).stdout;
  if (!addresses.includes(` ${config.DOCA_BRIDGE_ADDRESS}/24 `)) {
    await check('ip', ['addr', 'add', `${config.DOCA_BRIDGE_ADDRESS}/24`, 'dev', bridge]);
  }
  await check('ip', ['link', 'set', bridge, 'up']);
  // Bridged frames between sandboxes must pass through iptables' FORWARD chain to be filtered.
  await writeSysctl('net/bridge/bridge-nf-call-iptables', '1');
  await ensureHostFirewall(config);
}

async function ensureHostFirewall(config: NetworkConfig): Promise<void> {
  const bridge = config.DOCA_BRIDGE;
  const { gateway } = bridgeSubnet(config);
  const { input: inputChain, forward: forwardChain, peers: peersChain } = firewallChains(bridge);
  for (const chain of [inputChain, forwardChain, peersChain]) {
    if (!(await succeeds('iptables', ['-n', '-L', chain]))) await check('iptables', ['-N', chain]);
  }
  await replaceChain(inputChain, [
    ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
    ['-d', gateway, '-p', 'tcp', '--dport', String(config.DOCA_MIRROR_PORT), '-j', 'ACCEPT'],
    ['-d', gateway, '-p', 'tcp', '--dport', String(config.DOCA_HUB_PORT), '-j', 'ACCEPT'],
    ['-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'],
  ]);
  await replaceChain(forwardChain, [
    ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
    ['-o', bridge, '-j', peersChain],
    ['-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'],
  ]);
  await ensureJump('INPUT', ['-i', bridge, '-j', inputChain]);
  await ensureJump('FORWARD', ['-i', bridge, '-j', forwardChain]);
}

/** Lets two addresses of one session open the daemon port (TLS) of each other. */
export function peerRules(a: string, b: string, port: number): string[][] {
  return [
    ['-s', a, '-d', b, '-p', 'tcp', '--dport', String(port), '-j', 'ACCEPT'],
    ['-s', b, '-d', a, '-p', 'tcp', '--dport', String(port), '-j', 'ACCEPT'],
  ];
}

export async function addRules(chain: string, rules: string[][]): Promise<void> {
  for (const rule of rules) if (!(await succeeds('iptables', ['-C', chain, ...rule]))) await check('iptables', ['-A', chain, ...rule]);
}

export async function removeRules(chain: string, rules: string[][]): Promise<void> {
  for (const rule of rules) while (await succeeds('iptables', ['-D', chain, ...rule]));
}

async function replaceChain(chain: string, rules: string[][]): Promise<void> {
  await check('iptables', ['-F', chain]);
  for (const rule of rules) await check('iptables', ['-A', chain, ...rule]);
}

async function ensureJump(chain: string, rule: string[]): Promise<void> {
  if (!(await succeeds('iptables', ['-C', chain, ...rule]))) await check('iptables', ['-I', chain, '1', ...rule]);
}

export async function writeSysctl(key: string, value: string): Promise<void> {
  const path = `/proc/sys/${key}`;
  if ((await readFile(path, 'utf8')).trim() !== value) await writeFile(path, value);
}
