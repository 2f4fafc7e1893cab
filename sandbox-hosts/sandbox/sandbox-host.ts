// One sandbox host: a learner-owned rootless Docker daemon, run by a dedicated unprivileged Linux
// user in its own network namespace, mount namespace, disk and cgroup. The agent (root) creates and
// destroys it; nothing the learner runs inside can change those walls.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, readdir, readlink, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bridgeSubnet, certificateAuthorityFiles, type HostMachineConfig } from '../machine/config.ts';
import type { Certificate } from '../machine/certificates.ts';
import { hubHostNames } from '../machine/hub-stand-in.ts';
import { check, succeeds } from '../system/shell.ts';
import { waitForEngine } from '../system/docker-engine.ts';

export interface HostAddress {
  /** What the learner calls a host: host1, host2, host3. */
  name: string;
  /** Its IPv4 address on the bridge. */
  address: string;
}

export interface SandboxHostSpec extends HostAddress {
  /** Lower-case letters and digits, 4–12 long; names the user, namespaces, cgroup and folders. */
  id: string;
  /** The other hosts of its session: they reach each other by name, on the daemon's TLS port only. */
  peers: readonly HostAddress[];
  /** From the session's authority: the daemon's server certificate and the learner's client one. */
  tls: { ca: string; server: Certificate; client: Certificate };
}

export interface SandboxHostRecord extends Omit<SandboxHostSpec, 'tls'> {
  user: string;
  uid: number;
  home: string;
  dockerSocket: string;
  createdAt: string;
}

/** The daemon's TLS port, for the hosts of one session driving each other (`docker -H tcp://…`). */
export const daemonTLSPort = 2376;
const cgroupControllers = ['memory', 'pids', 'cpu'] as const;
const rootlessScript = '/usr/share/docker.io/contrib/dockerd-rootless.sh';
/** The Debian docker CLI (same release as the daemon) comes first: it builds without buildx. */
const learnerPath = '/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin';
const idPattern = /^[a-z0-9]{4,12}$/;
const systemTrustStore = '/etc/ssl/certs/ca-certificates.crt';
/** Where a host keeps its daemon's TLS certificates, in its home. */
const daemonTLSDir = '.config/doca/daemon-tls';

export class SandboxHosts {
  readonly config: HostMachineConfig;

  constructor(config: HostMachineConfig) {
    this.config = config;
  }

  names(id: string) {
    if (!idPattern.test(id)) throw new Error(`Invalid sandbox host id "${id}": use 4–12 lower-case letters or digits.`);
    const dir = join(this.config.DOCA_STATE_DIR, 'hosts', id);
    return {
      user: `doca-${id}`,
      netns: `doca-${id}`,
      hostVeth: `dh-${id}`,
      cgroup: `doca/${id}`,
      dir,
      disk: join(dir, 'disk.img'),
      hostsFile: join(dir, 'hosts'),
      trustStore: join(dir, 'ca-certificates.crt'),
      log: join(dir, 'dockerd.log'),
      record: join(dir, 'host.json'),
      home: `/home/doca-${id}`,
      mountNamespace: join(this.config.DOCA_RUN_DIR, 'ns', `${id}.mnt`),
    };
  }

  async create(spec: SandboxHostSpec): Promise<SandboxHostRecord> {
    const n = this.names(spec.id);
    try {
      await mkdir(n.dir, { recursive: true, mode: 0o700 });
      const uid = await this.createUser(n.user, n.home);
      await this.createDisk(n.disk, n.home, uid);
      await this.writeTLSFiles(n.home, uid, spec.tls);
      await this.writeShellProfile(n.home, uid, spec.name);
      const runtimeDir = `/run/user/${uid}`;
      await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
      await check('chown', [`${uid}:${uid}`, runtimeDir]);
      await this.createNetwork(n.netns, n.hostVeth, spec);
      await this.writeTrustStore(n.trustStore);
      await this.createMountNamespace(n.mountNamespace, n.hostsFile, n.trustStore, [spec, ...spec.peers]);
      await this.createCgroup(n.cgroup);
      const { tls: _tls, ...identity } = spec;
      const record: SandboxHostRecord = {
        ...identity,
        peers: spec.peers.map((peer) => ({ ...peer })),
        user: n.user,
        uid,
        home: n.home,
        dockerSocket: `${runtimeDir}/docker.sock`,
        createdAt: new Date().toISOString(),
      };
      await this.startDaemon(record);
      await writeFile(n.record, JSON.stringify(record, null, 2));
      return record;
    } catch (error) {
      await this.destroy(spec.id);
      throw error;
    }
  }

  /** Removes everything the host was made of; safe on a half-created or already removed host. */
  async destroy(id: string): Promise<void> {
    const n = this.names(id);
    await this.killAll(n.cgroup, n.user);
    if (existsSync(n.mountNamespace)) {
      await check('umount', [n.mountNamespace]).catch(() => check('umount', ['-l', n.mountNamespace]));
      await rm(n.mountNamespace, { force: true });
    }
    if (await isMountPoint(n.home)) await check('umount', [n.home]).catch(() => check('umount', ['-l', n.home]));
    await rm(n.home, { recursive: true, force: true });
    if (await succeeds('ip', ['netns', 'pids', n.netns])) await check('ip', ['netns', 'del', n.netns]);
    // Deleting the namespace takes its veth pair along, but the host end may linger for a moment.
    await check('ip', ['link', 'del', n.hostVeth]).catch(() => undefined);
    // cgroup directories go with rmdir, one per controller (their files cannot be deleted).
    for (const controller of cgroupControllers) {
      await rmdir(`/sys/fs/cgroup/${controller}/${n.cgroup}`).catch((error) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    const uid = await userID(n.user);
    if (uid !== undefined) {
      await check('userdel', [n.user]);
      await rm(`/run/user/${uid}`, { recursive: true, force: true });
    }
    await rm(n.dir, { recursive: true, force: true });
  }

  /**
   * Starts the host's daemon again after it stopped (the learner may kill their own dockerd): what
   * is left of the old one goes first, i.e. rootlesskit and every process inside its user namespace
   * (container shims and containers), while the learner's shells, outside it, stay.
   */
  async restartDaemon(record: SandboxHostRecord): Promise<void> {
    const n = this.names(record.id);
    const machineUserNamespace = await readlink('/proc/self/ns/user');
    const procs = `/sys/fs/cgroup/pids/${n.cgroup}/cgroup.procs`;
    // Until none is left: the old containerd must be gone before a new one can take its socket.
    for (let round = 0; round < 100; round++) {
      const leftovers: number[] = [];
      for (const pid of (await readFile(procs, 'utf8')).split('\n').filter(Boolean).map(Number)) {
        const [namespace, command, stat] = await Promise.all([
          readlink(`/proc/${pid}/ns/user`).catch(() => machineUserNamespace),
          readFile(`/proc/${pid}/comm`, 'utf8').catch(() => ''),
          readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''),
        ]);
        const zombie = / Z /.test(stat.slice(stat.lastIndexOf(')')));
        if (!zombie && (namespace !== machineUserNamespace || ['rootlesskit', 'slirp4netns'].includes(command.trim()))) leftovers.push(pid);
      }
      if (leftovers.length === 0) break;
      for (const pid of leftovers) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // dockerd takes a pid file whose process still exists (even as a zombie) for a live containerd.
    const runtimeDir = `/run/user/${record.uid}`;
    await Promise.all([join(runtimeDir, 'docker.pid'), join(runtimeDir, 'docker/containerd/containerd.pid')].map((file) => rm(file, { force: true })));
    await this.startDaemon(record);
  }

  /** The learner's interactive shell in the host, for a terminal. */
  shellCommand(record: SandboxHostRecord): { file: string; args: string[] } {
    return this.commandIn(record, ['bash', '-i'], { TERM: 'xterm-256color', COLORTERM: 'truecolor' });
  }

  /** Ids of every host this machine holds state for, finished or not. */
  async ids(): Promise<string[]> {
    const root = join(this.config.DOCA_STATE_DIR, 'hosts');
    return existsSync(root) ? (await readdir(root)).filter((id) => idPattern.test(id)) : [];
  }

  /** Records of the hosts that finished starting, e.g. to re-adopt them after an agent restart. */
  async list(): Promise<SandboxHostRecord[]> {
    const records: SandboxHostRecord[] = [];
    for (const id of await this.ids()) {
      const file = this.names(id).record;
      if (existsSync(file)) records.push(JSON.parse(await readFile(file, 'utf8')));
    }
    return records;
  }

  /**
   * The command line that runs `argv` inside the host as its learner: in its namespaces and cgroup,
   * with a minimal environment pointing the docker CLI at the host's own daemon.
   */
  commandIn(record: SandboxHostRecord, argv: readonly string[], extraEnv: Record<string, string> = {}): { file: string; args: string[] } {
    const n = this.names(record.id);
    const env = {
      HOME: record.home,
      USER: record.user,
      LOGNAME: record.user,
      SHELL: '/bin/bash',
      PATH: learnerPath,
      LANG: 'C.UTF-8',
      XDG_RUNTIME_DIR: `/run/user/${record.uid}`,
      DOCKER_HOST: `unix://${record.dockerSocket}`,
      ...extraEnv,
    };
    return {
      file: 'nsenter',
      args: [
        `--mount=${n.mountNamespace}`,
        `--net=/run/netns/${n.netns}`,
        'cgexec',
        '-g',
        `${cgroupControllers.join(',')}:${n.cgroup}`,
        'runuser',
        '-u',
        record.user,
        '--',
        'env',
        '-i',
        ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
        ...argv,
      ],
    };
  }

  private async createUser(user: string, home: string): Promise<number> {
    // useradd gives the user its own /etc/subuid and /etc/subgid ranges for the rootless daemon.
    if ((await userID(user)) === undefined) {
      await check('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/bin/bash', '--user-group', user]);
    }
    return (await userID(user))!;
  }

  /** The home (and so the daemon's images and containers) lives on a disk image of fixed size. */
  private async createDisk(disk: string, home: string, uid: number): Promise<void> {
    await check('truncate', ['-s', String(this.config.DOCA_HOST_DISK), disk]);
    await check('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1', disk]);
    await mkdir(home, { recursive: true });
    await check('mount', ['-o', 'loop,nodev,noatime', disk, home]);
    await rm(join(home, 'lost+found'), { recursive: true, force: true });
    await check('chown', [`${uid}:${uid}`, home]);
    await check('chmod', ['700', home]);
  }

  /**
   * The daemon reaches "Docker Hub" at the stand-in, whose certificate the machine's CA signed. Docker
   * checks Docker Hub against the system trust store only (not certs.d), so the host gets its own
   * store: the system's plus the machine's CA, mounted over the system's in its mount namespace.
   */
  private async writeTrustStore(file: string): Promise<void> {
    const system = await readFile(systemTrustStore, 'utf8');
    const machineCA = await readFile(certificateAuthorityFiles(this.config).cert, 'utf8');
    await writeFile(file, `${system.trimEnd()}\n${machineCA}`);
  }

  /**
   * The daemon's certificates, and the learner's client ones where the docker CLI looks by default
   * (~/.docker), so `docker -H tcp://host2:2376 --tlsverify` works as written.
   */
  private async writeTLSFiles(home: string, uid: number, tls: SandboxHostSpec['tls']): Promise<void> {
    const files: [string, string][] = [
      [join(home, daemonTLSDir, 'ca.pem'), tls.ca],
      [join(home, daemonTLSDir, 'cert.pem'), tls.server.cert],
      [join(home, daemonTLSDir, 'key.pem'), tls.server.key],
      [join(home, '.docker/ca.pem'), tls.ca],
      [join(home, '.docker/cert.pem'), tls.client.cert],
      [join(home, '.docker/key.pem'), tls.client.key],
    ];
    for (const [file, text] of files) {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, text, { mode: 0o600 });
    }
    await check('chown', ['-R', `${uid}:${uid}`, join(home, '.docker'), join(home, '.config')]);
  }

  /** The prompt names the host (host1, host2…), the name the lesson and the other hosts use for it. */
  private async writeShellProfile(home: string, uid: number, name: string): Promise<void> {
    const file = join(home, '.bashrc');
    const profile = [
      '[ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion',
      `PS1='\\[\\e[1;32m\\]${name}\\[\\e[0m\\]:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]\\$ '`,
      '',
    ];
    await writeFile(file, profile.join('\n'), { mode: 0o644 });
    await check('chown', [`${uid}:${uid}`, file]);
  }

  private async createNetwork(netns: string, hostVeth: string, spec: SandboxHostSpec): Promise<void> {
    const { gateway } = bridgeSubnet(this.config);
    const inside = `dn-${spec.id}`;
    await check('ip', ['netns', 'add', netns]);
    await check('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', inside]);
    await check('ip', ['link', 'set', inside, 'netns', netns]);
    await check('ip', ['-n', netns, 'link', 'set', inside, 'name', 'eth0']);
    await check('ip', ['-n', netns, 'addr', 'add', `${spec.address}/24`, 'dev', 'eth0']);
    await check('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
    await check('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    await check('ip', ['link', 'set', hostVeth, 'master', this.config.DOCA_BRIDGE, 'up']);
    const inNetns = ['--net=/run/netns/' + netns];
    // No IPv6: the firewall below is IPv4 only. Unprivileged ping lets `ping` work in containers.
    await check('nsenter', [...inNetns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo "0 2147483647" > /proc/sys/net/ipv4/ping_group_range']);
    const allowed = [this.config.DOCA_MIRROR_PORT, this.config.DOCA_HUB_PORT];
    const peers = spec.peers.map((peer) => peer.address);
    await check('nsenter', [...inNetns, 'iptables-restore'], { input: sandboxFirewall(gateway, allowed, peers) });
  }

  /**
   * Private /tmp, /var/tmp and /dev/shm (capped, counted in the host's memory), its own /etc/hosts
   * and trust store, and a resolver that answers at once: a sandbox has no DNS to reach, and a
   * lookup that waits for one stalls the daemon for seconds.
   */
  private async createMountNamespace(handle: string, hostsFile: string, trustStore: string, sessionHosts: readonly HostAddress[]): Promise<void> {
    const resolvConf = join(dirname(hostsFile), 'resolv.conf');
    const dir = join(this.config.DOCA_RUN_DIR, 'ns');
    await mkdir(dir, { recursive: true });
    // A namespace handle can only be bind-mounted onto a privately propagated mount.
    if (!(await isMountPoint(dir))) {
      await check('mount', ['--bind', dir, dir]);
      await check('mount', ['--make-private', dir]);
    }
    const { gateway } = bridgeSubnet(this.config);
    const names = [`127.0.0.1\tlocalhost`, `::1\tlocalhost`, `${gateway}\t${hubHostNames.join(' ')}`, ...sessionHosts.map((host) => `${host.address}\t${host.name}`)];
    await writeFile(hostsFile, names.join('\n') + '\n');
    await writeFile(resolvConf, 'nameserver 127.0.0.1\n');
    await writeFile(handle, '');
    const tmp = `size=${this.config.DOCA_HOST_TMP},mode=1777,nosuid,nodev`;
    await check('unshare', [
      `--mount=${handle}`,
      '--propagation',
      'slave',
      'sh',
      '-ec',
      `mount -t tmpfs -o ${tmp} tmpfs /tmp
       mount -t tmpfs -o ${tmp} tmpfs /var/tmp
       mount -t tmpfs -o size=64m,mode=1777,nosuid,nodev tmpfs /dev/shm
       mount --bind ${hostsFile} /etc/hosts
       mount --bind ${resolvConf} /etc/resolv.conf
       mount --bind ${trustStore} ${systemTrustStore}`,
    ]);
  }

  private async createCgroup(cgroup: string): Promise<void> {
    const limits: Record<(typeof cgroupControllers)[number], [string, string][]> = {
      memory: [['memory.limit_in_bytes', String(this.config.DOCA_HOST_MEMORY)]],
      pids: [['pids.max', String(this.config.DOCA_HOST_PIDS)]],
      cpu: [
        ['cpu.cfs_period_us', '100000'],
        ['cpu.cfs_quota_us', String(Math.round(this.config.DOCA_HOST_CPUS * 100000))],
      ],
    };
    for (const controller of cgroupControllers) {
      const dir = `/sys/fs/cgroup/${controller}/${cgroup}`;
      await mkdir(dir, { recursive: true });
      for (const [file, value] of limits[controller]) await writeFile(join(dir, file), value);
    }
    // Without swap accounting the memory cap could be dodged by swapping.
    const memsw = `/sys/fs/cgroup/memory/${cgroup}/memory.memsw.limit_in_bytes`;
    if (existsSync(memsw)) await writeFile(memsw, String(this.config.DOCA_HOST_MEMORY));
  }

  private async startDaemon(record: SandboxHostRecord): Promise<void> {
    const n = this.names(record.id);
    const { gateway } = bridgeSubnet(this.config);
    const mirror = `${gateway}:${this.config.DOCA_MIRROR_PORT}`;
    const log = await open(n.log, 'a');
    const tls = (file: string) => join(record.home, daemonTLSDir, file);
    const { file, args } = this.commandIn(
      record,
      [
        rootlessScript,
        '--registry-mirror',
        `http://${mirror}`,
        '--insecure-registry',
        mirror,
        '-H',
        `unix://${record.dockerSocket}`,
        '-H',
        `tcp://0.0.0.0:${daemonTLSPort}`,
        '--tlsverify',
        '--tlscacert',
        tls('ca.pem'),
        '--tlscert',
        tls('cert.pem'),
        '--tlskey',
        tls('key.pem'),
      ],
      // rootlesskit forwards the daemon's TLS port from its own namespace to the host's address.
      { DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS: `--publish 0.0.0.0:${daemonTLSPort}:${daemonTLSPort}/tcp` },
    );
    // Detached, so the daemon outlives an agent restart and can be re-adopted.
    const child = spawn(file, args, { detached: true, stdio: ['ignore', log.fd, log.fd] });
    child.unref();
    await log.close();
    if (!(await waitForEngine(record.dockerSocket, 20_000))) {
      const tail = (await readFile(n.log, 'utf8').catch(() => '')).split('\n').slice(-8).join('\n');
      throw new Error(`The Docker daemon of sandbox host ${record.id} did not start:\n${tail}`);
    }
  }

  /** Kills every process of the host: all of them live in its cgroup, and none can leave it. */
  private async killAll(cgroup: string, user: string): Promise<void> {
    const procs = `/sys/fs/cgroup/pids/${cgroup}/cgroup.procs`;
    for (let attempt = 0; attempt < 100 && existsSync(procs); attempt++) {
      const pids = (await readFile(procs, 'utf8')).split('\n').filter(Boolean);
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if ((await userID(user)) !== undefined) await check('pkill', ['-KILL', '-u', user]).catch(() => undefined);
  }
}

/**
 * The host's own firewall, inside its network namespace (the learner has no power over it): it may
 * reach the Docker Hub mirror and stand-in and the daemons of its own session, and be reached by those and by the
 * agent; nothing else. Refusals are immediate (REJECT) so that a blocked request fails fast.
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

async function userID(user: string): Promise<number | undefined> {
  try {
    return Number((await check('id', ['-u', user])).stdout.trim());
  } catch {
    return undefined;
  }
}

async function isMountPoint(path: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === path);
}
