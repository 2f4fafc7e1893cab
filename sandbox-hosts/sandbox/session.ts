// A learner's session: one to three sandbox hosts, host1…host3, whose daemons drive each other over
// TLS (`docker -H tcp://host2:2376 --tlsverify …`, or `docker --context host2 …`) — the guide's "the
// client can talk to more than one daemon". Hosts of one session see each other; sessions never do.
import { randomBytes } from 'node:crypto';
import { createCertificateAuthority } from '../machine/certificates.ts';
import { addRules, firewallChains, peerRules, removeRules } from '../machine/network.ts';
import { AddressPool } from './address-pool.ts';
import { daemonTLSPort, type PhaseRecorder, type SandboxHostRecord, type SandboxHosts } from './sandbox-host.ts';

export const maxHostsPerSession = 3;

export interface SessionRecord {
  id: string;
  hosts: SandboxHostRecord[];
}

export class SandboxSessions {
  readonly hosts: SandboxHosts;
  readonly addresses: AddressPool;

  readonly #peersChain: string;

  constructor(hosts: SandboxHosts, addresses: AddressPool) {
    this.hosts = hosts;
    this.addresses = addresses;
    this.#peersChain = firewallChains(hosts.config.DOCA_BRIDGE).peers;
  }

  /**
   * Creates the session's hosts in parallel; on any failure, removes what was made. `onPhase` hears how long each step of host1 took (the certificates are the session's).
   */
  async create(hostCount: number, id = randomBytes(4).toString('hex'), onPhase?: PhaseRecorder): Promise<SessionRecord> {
    if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > maxHostsPerSession) {
      throw new RangeError(`A session has 1 to ${maxHostsPerSession} hosts, not ${hostCount}.`);
    }
    const addresses = this.addresses.take(hostCount);
    if (!addresses) throw new Error('No free addresses on the bridge.');
    const members = addresses.map((address, index) => ({ name: `host${index + 1}`, address }));
    // One authority per session: its client certificate opens this session's daemons and no others.
    const started = performance.now();
    const authority = await createCertificateAuthority(`Doca session ${id}`);
    const client = authority.issue({ commonName: 'learner', client: true });
    const results = await Promise.allSettled(
      members.map(async (member, index) => {
        const tls = {
          ca: authority.cert,
          client: await client,
          server: await authority.issue({
            commonName: member.name,
            dnsNames: [member.name, 'localhost'],
            ipAddresses: [member.address, '127.0.0.1'],
          }),
        };
        if (index === 0) onPhase?.('certificates', performance.now() - started);
        return this.hosts.create({
          id: `${id}${index + 1}`,
          name: member.name,
          address: member.address,
          peers: members.filter((other) => other !== member),
          tls,
        }, index === 0 ? onPhase : undefined);
      }),
    );
    const hosts = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) {
      await Promise.all(hosts.map((host) => this.hosts.destroy(host.id)));
      addresses.forEach((address) => this.addresses.release(address));
      throw failure.reason;
    }
    await addRules(this.#peersChain, pairs(addresses).flatMap(([a, b]) => peerRules(a, b, daemonTLSPort)));
    return { id, hosts };
  }

  async destroy(session: SessionRecord): Promise<void> {
    const addresses = session.hosts.map((host) => host.address);
    await removeRules(this.#peersChain, pairs(addresses).flatMap(([a, b]) => peerRules(a, b, daemonTLSPort)));
    await Promise.all(session.hosts.map((host) => this.hosts.destroy(host.id)));
    addresses.forEach((address) => this.addresses.release(address));
  }
}

function pairs<T>(items: readonly T[]): [T, T][] {
  return items.flatMap((a, i) => items.slice(i + 1).map((b): [T, T] => [a, b]));
}
