// Every prerequisite of a sandbox-host machine, each able to say what is wrong and how to fix it,
// and to fix it itself when that is safe: installing a package, or restoring a stock setting.
import type { HostMachineConfig } from '../config.ts';
import { sandboxHostPackages, type DebianPackage } from '../packages.ts';
import type { MachineProbe } from './probe.ts';

export interface PreflightContext {
  probe: MachineProbe;
  config: Pick<HostMachineConfig, 'DOCA_STATE_DIR' | 'DOCA_HOST_DISK' | 'DOCA_BRIDGE_ADDRESS' | 'DOCA_MIRROR_PORT' | 'DOCA_HUB_PORT'>;
  /** Sandbox hosts this machine is meant to hold at once: each may fill its whole disk. */
  capacity: number;
  /** The agent's API address, when an agent is about to listen there. */
  agentListen?: { host: string; port: number };
  packages?: readonly DebianPackage[];
}

/** What a check found: fine, or a problem with the fix a person can apply. */
export type Finding = { ok: true; detail: string } | { ok: false; problem: string; fix: string };

export interface PreflightCheck {
  name: string;
  detect(context: PreflightContext): Finding;
  /** A safe repair, run as root when fixing is allowed; the check is then run again. */
  repair?(context: PreflightContext, finding: Extract<Finding, { ok: false }>): Promise<void>;
}

/** Room kept beside the sandboxes' disks for the lab images and their build cache. */
export const imageReserveBytes = 4 * 1024 ** 3;
const cgroupControllers = ['memory', 'pids', 'cpu'] as const;
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
const ok = (detail: string): Finding => ({ ok: true, detail });
const problem = (text: string, fix: string): Finding => ({ ok: false, problem: text, fix });

async function mustRun(probe: MachineProbe, command: string, args: string[], env?: Record<string, string>): Promise<void> {
  const result = await probe.run(command, args, env);
  if (result.code !== 0) throw new Error(`\`${[command, ...args].join(' ')}\` failed: ${result.output.trim().split('\n').slice(-3).join(' ')}`);
}

function missingPackages(context: PreflightContext): DebianPackage[] {
  return (context.packages ?? sandboxHostPackages).filter((pkg) => !context.probe.exists(pkg.provides));
}

/** A sysctl's value, or undefined where the kernel has no such setting. */
function sysctl(context: PreflightContext, key: string): string | undefined {
  return context.probe.read(`/proc/sys/${key}`)?.trim();
}

export const preflightChecks: readonly PreflightCheck[] = [
  {
    name: 'root',
    detect: ({ probe }) =>
      probe.uid() === 0
        ? ok('running as root')
        : problem('the sandbox host must run as root (it creates users, namespaces and firewalls)', 'run it as root: sudo npm start'),
  },
  {
    name: 'packages',
    detect(context) {
      const missing = missingPackages(context);
      if (missing.length === 0) return ok(`${(context.packages ?? sandboxHostPackages).length} Debian packages installed`);
      const names = missing.map((pkg) => pkg.packageName);
      return problem(`missing Debian packages: ${missing.map((pkg) => `${pkg.packageName} (${pkg.purpose})`).join(', ')}`, `apt-get install -y ${names.join(' ')}`);
    },
    async repair(context) {
      if (!context.probe.exists('/usr/bin/apt-get')) throw new Error('apt-get is not on this machine');
      const names = missingPackages(context).map((pkg) => pkg.packageName);
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      const install = ['install', '-y', '-q', '--no-install-recommends', ...names];
      // A fresh machine's package lists may be missing or stale: update once, then install.
      if ((await context.probe.run('apt-get', install, env)).code !== 0) {
        await mustRun(context.probe, 'apt-get', ['update', '-q'], env);
        await mustRun(context.probe, 'apt-get', install, env);
      }
    },
  },
  {
    name: 'tun device',
    detect({ probe }) {
      const tun = probe.stat('/dev/net/tun');
      if (!tun?.isCharacterDevice) return problem('/dev/net/tun is missing: rootless Docker networking (slirp4netns) needs it', 'mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200');
      if ((tun.mode & 0o666) !== 0o666) {
        return problem(`/dev/net/tun is mode 0${(tun.mode & 0o777).toString(8)}: learners' users cannot open it, so no sandbox can start`, 'chmod 0666 /dev/net/tun (the mode udev gives it on a stock system)');
      }
      return ok('/dev/net/tun usable by every user');
    },
    async repair({ probe }) {
      if (!probe.exists('/dev/net/tun')) {
        await mustRun(probe, 'mkdir', ['-p', '/dev/net']);
        await mustRun(probe, 'mknod', ['-m', '0666', '/dev/net/tun', 'c', '10', '200']);
      }
      probe.chmod('/dev/net/tun', 0o666);
    },
  },
  {
    name: 'user namespaces',
    detect(context) {
      const max = Number(sysctl(context, 'user/max_user_namespaces') ?? 0);
      const unprivileged = sysctl(context, 'kernel/unprivileged_userns_clone');
      if (max <= 0) return problem('user namespaces are off (user.max_user_namespaces = 0): rootless Docker needs them', 'sysctl -w user.max_user_namespaces=15000');
      if (unprivileged === '0') return problem('unprivileged user namespaces are off (kernel.unprivileged_userns_clone = 0): rootless Docker needs them', 'sysctl -w kernel.unprivileged_userns_clone=1 (Debian’s default)');
      return ok(`user namespaces on (max ${max})`);
    },
    async repair({ probe }) {
      if (Number(probe.read('/proc/sys/user/max_user_namespaces')?.trim() ?? 0) <= 0) probe.write('/proc/sys/user/max_user_namespaces', '15000');
      if (probe.read('/proc/sys/kernel/unprivileged_userns_clone')?.trim() === '0') probe.write('/proc/sys/kernel/unprivileged_userns_clone', '1');
    },
  },
  {
    name: 'id mapping',
    detect({ probe }) {
      const helpers = ['/usr/bin/newuidmap', '/usr/bin/newgidmap'];
      const notSetuid = helpers.filter((file) => {
        const info = probe.stat(file);
        return !info || info.uid !== 0 || (info.mode & 0o4000) === 0;
      });
      if (notSetuid.length > 0) return problem(`${notSetuid.join(' and ')} must be setuid root for rootless Docker`, `chown root ${notSetuid.join(' ')} && chmod u+s ${notSetuid.join(' ')} (as the uidmap package installs them)`);
      const count = /^\s*SUB_UID_COUNT\s+(\d+)/m.exec(probe.read('/etc/login.defs') ?? '')?.[1];
      if (count === '0') return problem('/etc/login.defs sets SUB_UID_COUNT 0: new users get no subordinate ids, so rootless Docker cannot map its containers', 'set SUB_UID_COUNT and SUB_GID_COUNT to 65536 in /etc/login.defs');
      return ok('newuidmap/newgidmap setuid; useradd assigns subordinate ids');
    },
    async repair(context) {
      const files = ['/usr/bin/newuidmap', '/usr/bin/newgidmap'].filter((file) => context.probe.exists(file));
      if (files.length === 0) throw new Error('the uidmap package is not installed');
      await mustRun(context.probe, 'chown', ['root', ...files]);
      for (const file of files) context.probe.chmod(file, 0o4755);
    },
  },
  {
    name: 'cgroups',
    detect({ probe }) {
      const missing = cgroupControllers.filter((controller) => !probe.exists(`/sys/fs/cgroup/${controller}/cgroup.procs`));
      if (missing.length === 0) return ok(`cgroup v1 controllers ${cgroupControllers.join(', ')} mounted`);
      const unified = probe.exists('/sys/fs/cgroup/cgroup.controllers');
      return problem(
        unified
          ? 'this machine runs cgroup v2 only; sandbox caps use the cgroup v1 controllers memory, pids and cpu'
          : `cgroup v1 controller${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not mounted under /sys/fs/cgroup`,
        unified
          ? 'boot with systemd.unified_cgroup_hierarchy=0 (hybrid cgroups), or use a machine with cgroup v1'
          : missing.map((c) => `mkdir -p /sys/fs/cgroup/${c} && mount -t cgroup -o ${c} cgroup /sys/fs/cgroup/${c}`).join('; '),
      );
    },
  },
  {
    name: 'overlay',
    detect: ({ probe }) =>
      /\boverlay\b/.test(probe.read('/proc/filesystems') ?? '')
        ? ok('overlay filesystem available')
        : problem('the kernel has no overlay filesystem: Docker’s overlay2 storage needs it', 'modprobe overlay'),
    repair: (context) => mustRun(context.probe, 'modprobe', ['overlay']),
  },
  {
    name: 'bridge netfilter',
    detect: (context) =>
      sysctl(context, 'net/bridge/bridge-nf-call-iptables') !== undefined
        ? ok('bridged traffic passes the firewall')
        : problem('bridge netfilter is not loaded: traffic between sandboxes would bypass the firewall', 'modprobe br_netfilter'),
    repair: (context) => mustRun(context.probe, 'modprobe', ['br_netfilter']),
  },
  {
    name: 'loop devices',
    detect: ({ probe }) =>
      probe.exists('/dev/loop-control') ? ok('loop devices for sandbox disks') : problem('/dev/loop-control is missing: sandbox disks are loop-mounted images', 'modprobe loop'),
    repair: (context) => mustRun(context.probe, 'modprobe', ['loop']),
  },
  {
    name: 'disk',
    detect({ probe, config, capacity }) {
      const free = probe.freeBytes(config.DOCA_STATE_DIR);
      // Sandbox disks are sparse: each can grow to its full size, so the sum must fit, or one learner
      // filling their disk would fill the machine's for everyone.
      const needed = capacity * config.DOCA_HOST_DISK + imageReserveBytes;
      if (free >= needed) return ok(`${gib(free)} free in ${config.DOCA_STATE_DIR} (${capacity} × ${gib(config.DOCA_HOST_DISK)} + images need ${gib(needed)})`);
      const fits = Math.max(0, Math.floor((free - imageReserveBytes) / config.DOCA_HOST_DISK));
      return problem(
        `${config.DOCA_STATE_DIR} has ${gib(free)} free, but ${capacity} sandbox hosts × ${gib(config.DOCA_HOST_DISK)} each plus ${gib(imageReserveBytes)} for images need ${gib(needed)}`,
        fits > 0 ? `free disk space, or set DOCA_AGENT_CAPACITY=${fits} or a smaller DOCA_HOST_DISK` : 'free disk space, or point DOCA_STATE_DIR at a larger filesystem',
      );
    },
  },
  {
    name: 'ports',
    detect({ probe, config, agentListen }) {
      const listening = listeningSockets(probe);
      const wanted = [
        { what: 'the Docker Hub mirror', host: config.DOCA_BRIDGE_ADDRESS, port: config.DOCA_MIRROR_PORT, variable: 'DOCA_MIRROR_PORT' },
        { what: 'the Docker Hub stand-in', host: config.DOCA_BRIDGE_ADDRESS, port: config.DOCA_HUB_PORT, variable: 'DOCA_HUB_PORT' },
        ...(agentListen ? [{ what: 'the agent API', host: agentListen.host, port: agentListen.port, variable: 'DOCA_AGENT_PORT' }] : []),
      ];
      const taken = wanted.filter((want) => listening.some((socket) => socket.port === want.port && (isWildcard(socket.address) || isWildcard(want.host) || socket.address === want.host)));
      if (taken.length === 0) return ok(`ports free: ${wanted.map((want) => `${want.host}:${want.port}`).join(', ')}`);
      return problem(
        `already in use: ${taken.map((want) => `${want.host}:${want.port} (${want.what})`).join(', ')} — is another Doca agent running?`,
        `stop what listens there, or set ${taken.map((want) => want.variable).join(', ')}`,
      );
    },
  },
];

interface ListeningSocket {
  address: string;
  port: number;
}

/** TCP sockets in LISTEN state, from /proc/net/tcp and tcp6 (IPv4 addresses only; v6 wildcards as "::"). */
export function listeningSockets(probe: MachineProbe): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    for (const line of (probe.read(file) ?? '').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local) continue;
      const [hex, portHex] = local.split(':');
      const port = parseInt(portHex, 16);
      if (v6) {
        sockets.push({ address: /^0+$/.test(hex) ? '::' : `v6:${hex}`, port });
      } else {
        const bytes = hex.match(/../g)!.map((byte) => parseInt(byte, 16)).reverse();
        sockets.push({ address: bytes.join('.'), port });
      }
    }
  }
  return sockets;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
