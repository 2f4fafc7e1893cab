import { describe, expect, it } from 'vitest';
import { readHostMachineConfig } from '../config.ts';
import { sandboxHostPackages } from '../packages.ts';
import { formatProblems, formatTable, runPreflight, type MachineProbe, type PreflightContext } from './index.ts';
import type { CommandResult, FileInfo } from './probe.ts';

interface SimulatedFile extends Partial<FileInfo> {
  text?: string;
}

/** A machine with every prerequisite in place; each test takes one away. */
class SimulatedMachine implements MachineProbe {
  files = new Map<string, SimulatedFile>();
  uidValue = 0;
  free = 200 * 1024 ** 3;
  commands: string[] = [];
  /** What a command does to the machine when run; absent commands fail. */
  effects = new Map<string, () => CommandResult>();

  constructor() {
    for (const pkg of sandboxHostPackages) this.files.set(pkg.provides, { mode: 0o755, uid: 0 });
    for (const helper of ['/usr/bin/newuidmap', '/usr/bin/newgidmap']) this.files.set(helper, { mode: 0o4755, uid: 0 });
    this.files.set('/usr/bin/apt-get', { mode: 0o755 });
    this.files.set('/dev/net/tun', { mode: 0o666, uid: 0, isCharacterDevice: true });
    this.files.set('/proc/sys/user/max_user_namespaces', { text: '96364\n' });
    this.files.set('/proc/sys/kernel/unprivileged_userns_clone', { text: '1\n' });
    this.files.set('/etc/login.defs', { text: 'SUB_UID_MIN\t\t   100000\nSUB_UID_COUNT\t\t    65536\n' });
    for (const controller of ['memory', 'pids', 'cpu']) this.files.set(`/sys/fs/cgroup/${controller}/cgroup.procs`, { text: '' });
    this.files.set('/proc/filesystems', { text: 'nodev\ttmpfs\nnodev\toverlay\n\text4\n' });
    this.files.set('/proc/sys/net/bridge/bridge-nf-call-iptables', { text: '1\n' });
    this.files.set('/dev/loop-control', { mode: 0o660, isCharacterDevice: true });
    this.files.set('/proc/net/tcp', { text: '  sl  local_address rem_address   st\n   0: 0100007F:0016 00000000:0000 0A 00000000:00000000\n' });
    this.files.set('/proc/net/tcp6', { text: '  sl  local_address rem_address   st\n' });
  }

  uid = () => this.uidValue;
  exists = (path: string) => this.files.has(path);
  stat = (path: string) => {
    const file = this.files.get(path);
    return file && { mode: file.mode ?? 0o644, uid: file.uid ?? 0, isCharacterDevice: file.isCharacterDevice ?? false };
  };
  read = (path: string) => this.files.get(path)?.text;
  freeBytes = () => this.free;
  run = async (command: string, args: readonly string[]) => {
    const line = [command, ...args].join(' ');
    this.commands.push(line);
    const effect = [...this.effects].find(([prefix]) => line.startsWith(prefix))?.[1];
    return effect ? effect() : { code: 1, output: `${command}: simulated failure` };
  };
  write = (path: string, text: string) => void this.files.set(path, { ...this.files.get(path), text });
  chmod = (path: string, mode: number) => void this.files.set(path, { ...this.files.get(path), mode });
}

const config = readHostMachineConfig({ DOCA_STATE_DIR: '/var/lib/doca', DOCA_HOST_DISK: '4g' });

function contextOf(machine: SimulatedMachine, extra: Partial<PreflightContext> = {}): PreflightContext {
  return { probe: machine, config, capacity: 10, agentListen: { host: '127.0.0.1', port: 7070 }, ...extra };
}

async function problems(machine: SimulatedMachine, fix = false, extra: Partial<PreflightContext> = {}) {
  const outcomes = await runPreflight(contextOf(machine, extra), { fix });
  return { outcomes, problems: outcomes.filter((o) => o.state === 'problem'), fixed: outcomes.filter((o) => o.state === 'fixed') };
}

describe('machine preflight', () => {
  it('passes a machine that has everything, touching nothing', async () => {
    const machine = new SimulatedMachine();
    const { outcomes, problems: found } = await problems(machine, true);
    expect(found).toEqual([]);
    expect(outcomes.map((o) => o.name)).toEqual(['root', 'packages', 'tun device', 'user namespaces', 'id mapping', 'cgroups', 'overlay', 'bridge netfilter', 'loop devices', 'disk', 'ports']);
    expect(machine.commands).toEqual([]);
  });

  describe('a fresh machine: iptables absent and /dev/net/tun at 0600', () => {
    it('without --fix: one line each, naming the problem and the fix', async () => {
      const machine = new SimulatedMachine();
      machine.files.delete('/usr/sbin/iptables');
      machine.files.set('/dev/net/tun', { mode: 0o600, isCharacterDevice: true });
      const { outcomes, problems: found } = await problems(machine);
      expect(found.map((o) => o.name)).toEqual(['packages', 'tun device']);
      const lines = formatProblems(outcomes).split('\n');
      expect(lines).toEqual([
        'Machine check "packages": missing Debian packages: iptables (sandbox firewalls). Fix: apt-get install -y iptables.',
        'Machine check "tun device": /dev/net/tun is mode 0600: learners\' users cannot open it, so no sandbox can start. Fix: chmod 0666 /dev/net/tun (the mode udev gives it on a stock system).',
      ]);
      expect(machine.commands).toEqual([]);
    });

    it('as root with --fix: installs the package, restores the mode, and passes', async () => {
      const machine = new SimulatedMachine();
      machine.files.delete('/usr/sbin/iptables');
      machine.files.set('/dev/net/tun', { mode: 0o600, isCharacterDevice: true });
      // The package lists are stale on a fresh machine: the first install fails, update + install works.
      let updated = false;
      machine.effects.set('apt-get update', () => ((updated = true), { code: 0, output: '' }));
      machine.effects.set('apt-get install', () => {
        if (!updated) return { code: 100, output: 'E: Unable to locate package iptables' };
        machine.files.set('/usr/sbin/iptables', { mode: 0o755 });
        return { code: 0, output: '' };
      });
      const { problems: found, fixed } = await problems(machine, true);
      expect(found).toEqual([]);
      expect(fixed.map((o) => o.name)).toEqual(['packages', 'tun device']);
      expect(machine.commands).toEqual([
        'apt-get install -y -q --no-install-recommends iptables',
        'apt-get update -q',
        'apt-get install -y -q --no-install-recommends iptables',
      ]);
      expect(machine.stat('/dev/net/tun')?.mode).toBe(0o666);
    });

    it('not as root: fixes nothing and says to run as root', async () => {
      const machine = new SimulatedMachine();
      machine.uidValue = 1000;
      machine.files.set('/dev/net/tun', { mode: 0o600, isCharacterDevice: true });
      const { problems: found } = await problems(machine, true);
      expect(found.map((o) => o.name)).toEqual(['root', 'tun device']);
      expect(found[0].fix).toBe('run it as root: sudo npm start');
      expect(machine.stat('/dev/net/tun')?.mode).toBe(0o600);
    });
  });

  it('reports a package install that fails, with apt-get’s words', async () => {
    const machine = new SimulatedMachine();
    machine.files.delete('/usr/bin/slirp4netns');
    machine.effects.set('apt-get update', () => ({ code: 0, output: '' }));
    machine.effects.set('apt-get install', () => ({ code: 100, output: 'E: Unable to locate package slirp4netns' }));
    const { problems: found } = await problems(machine, true);
    expect(found).toHaveLength(1);
    expect(found[0].detail).toContain('slirp4netns (rootless Docker networking)');
    expect(found[0].fix).toContain('apt-get install -y slirp4netns');
    expect(found[0].fix).toContain('E: Unable to locate package slirp4netns');
  });

  // Each prerequisite missing in turn: the named check finds it, the others don't, and the fix is said.
  const cases: { name: string; check: string; breakIt: (m: SimulatedMachine) => void; fixSays: RegExp; repairable: boolean }[] = [
    { name: '/dev/net/tun missing', check: 'tun device', breakIt: (m) => m.files.delete('/dev/net/tun'), fixSays: /mknod -m 0666 \/dev\/net\/tun c 10 200/, repairable: true },
    { name: 'user namespaces off', check: 'user namespaces', breakIt: (m) => m.write('/proc/sys/user/max_user_namespaces', '0\n'), fixSays: /user\.max_user_namespaces=15000/, repairable: true },
    { name: 'unprivileged user namespaces off', check: 'user namespaces', breakIt: (m) => m.write('/proc/sys/kernel/unprivileged_userns_clone', '0\n'), fixSays: /unprivileged_userns_clone=1/, repairable: true },
    { name: 'newuidmap not setuid', check: 'id mapping', breakIt: (m) => m.chmod('/usr/bin/newuidmap', 0o755), fixSays: /chmod u\+s \/usr\/bin\/newuidmap/, repairable: true },
    { name: 'no subordinate ids for new users', check: 'id mapping', breakIt: (m) => m.write('/etc/login.defs', 'SUB_UID_COUNT 0\n'), fixSays: /SUB_UID_COUNT and SUB_GID_COUNT to 65536/, repairable: false },
    { name: 'cgroup v2 only', check: 'cgroups', breakIt: (m) => { for (const c of ['memory', 'pids', 'cpu']) m.files.delete(`/sys/fs/cgroup/${c}/cgroup.procs`); m.files.set('/sys/fs/cgroup/cgroup.controllers', { text: 'cpu memory pids' }); }, fixSays: /systemd\.unified_cgroup_hierarchy=0/, repairable: false },
    { name: 'the pids controller not mounted', check: 'cgroups', breakIt: (m) => m.files.delete('/sys/fs/cgroup/pids/cgroup.procs'), fixSays: /mount -t cgroup -o pids/, repairable: false },
    { name: 'no overlay filesystem', check: 'overlay', breakIt: (m) => m.write('/proc/filesystems', 'nodev\ttmpfs\n\text4\n'), fixSays: /modprobe overlay/, repairable: true },
    { name: 'bridge netfilter not loaded', check: 'bridge netfilter', breakIt: (m) => m.files.delete('/proc/sys/net/bridge/bridge-nf-call-iptables'), fixSays: /modprobe br_netfilter/, repairable: true },
    { name: 'no loop devices', check: 'loop devices', breakIt: (m) => m.files.delete('/dev/loop-control'), fixSays: /modprobe loop/, repairable: true },
    { name: 'too little disk for the capacity', check: 'disk', breakIt: (m) => (m.free = 30 * 1024 ** 3), fixSays: /DOCA_AGENT_CAPACITY=6/, repairable: false },
    { name: 'the mirror port taken on every address', check: 'ports', breakIt: (m) => m.write('/proc/net/tcp', '  sl  local_address rem_address   st\n   0: 00000000:1388 00000000:0000 0A 0\n'), fixSays: /DOCA_MIRROR_PORT/, repairable: false },
    { name: 'the agent port taken on loopback', check: 'ports', breakIt: (m) => m.write('/proc/net/tcp', '  sl  local_address rem_address   st\n   0: 0100007F:1B9E 00000000:0000 0A 0\n'), fixSays: /DOCA_AGENT_PORT/, repairable: false },
    { name: 'the Hub stand-in port taken on IPv6 any', check: 'ports', breakIt: (m) => m.write('/proc/net/tcp6', '  sl  local_address rem_address   st\n   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 0\n'), fixSays: /DOCA_HUB_PORT/, repairable: false },
  ];

  for (const { name, check, breakIt, fixSays, repairable } of cases) {
    it(`finds ${name}, names the fix${repairable ? ', and repairs it as root' : ' (not repaired automatically)'}`, async () => {
      const machine = new SimulatedMachine();
      breakIt(machine);
      const found = (await problems(machine)).problems;
      expect(found.map((o) => o.name)).toEqual([check]);
      expect(found[0].fix).toMatch(fixSays);

      // The repair: `modprobe`, `mkdir`, `mknod` and `chown` do on the simulated machine what they do on a real one.
      machine.effects.set('modprobe overlay', () => (machine.write('/proc/filesystems', 'nodev\toverlay\n'), { code: 0, output: '' }));
      machine.effects.set('modprobe br_netfilter', () => (machine.write('/proc/sys/net/bridge/bridge-nf-call-iptables', '0\n'), { code: 0, output: '' }));
      machine.effects.set('modprobe loop', () => (machine.files.set('/dev/loop-control', { isCharacterDevice: true }), { code: 0, output: '' }));
      machine.effects.set('mkdir -p /dev/net', () => ({ code: 0, output: '' }));
      machine.effects.set('mknod', () => (machine.files.set('/dev/net/tun', { mode: 0o600, isCharacterDevice: true }), { code: 0, output: '' }));
      machine.effects.set('chown root', () => ({ code: 0, output: '' }));
      const after = await problems(machine, true);
      if (repairable) {
        expect(after.problems).toEqual([]);
        expect(after.fixed.map((o) => o.name)).toEqual([check]);
      } else {
        expect(after.problems.map((o) => o.name)).toEqual([check]);
        expect(after.fixed).toEqual([]);
      }
    });
  }

  it('prints a table with every check, its state and the fix of each problem', async () => {
    const machine = new SimulatedMachine();
    machine.files.set('/dev/net/tun', { mode: 0o600, isCharacterDevice: true });
    const table = formatTable((await problems(machine)).outcomes).split('\n');
    expect(table[0]).toMatch(/^check\s+state\s+detail$/);
    expect(table.find((line) => line.startsWith('tun device'))).toMatch(/PROBLEM\s+\/dev\/net\/tun is mode 0600/);
    expect(table).toContain(`${''.padEnd('bridge netfilter'.length)}           fix: chmod 0666 /dev/net/tun (the mode udev gives it on a stock system)`);
    expect(table.find((line) => line.startsWith('disk'))).toMatch(/ok\s+200\.0 GiB free in \/var\/lib\/doca \(10 × 4\.0 GiB \+ images need 44\.0 GiB\)/);
  });
});

describe('machine preflight on this machine', () => {
  it('finds /dev/net/tun at 0600, the mode a fresh machine here has, and restores 0666', async () => {
    const { realProbe, preflightChecks } = await import('./index.ts');
    const tunCheck = preflightChecks.filter((check) => check.name === 'tun device');
    const { chmodSync, statSync } = await import('node:fs');
    chmodSync('/dev/net/tun', 0o600);
    try {
      const context = { probe: realProbe, config, capacity: 1 };
      expect((await runPreflight(context, { fix: false, checks: tunCheck }))[0]).toMatchObject({ state: 'problem', detail: expect.stringContaining('mode 0600') });
      expect((await runPreflight(context, { fix: true, checks: tunCheck }))[0].state).toBe('fixed');
      expect(statSync('/dev/net/tun').mode & 0o777).toBe(0o666);
    } finally {
      chmodSync('/dev/net/tun', 0o666);
    }
  });
});
