// One sandbox host: a learner-owned rootless Docker daemon, run by a dedicated unprivileged Linux
// user in its own network, mount, PID, IPC and UTS namespaces, disk and cgroup. The agent (root)
// creates and destroys it; nothing the learner runs inside can change those walls. Each wall has its
// own module; this one puts them together in order and takes them apart.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostMachineConfig } from '../machine/config.ts';
import { learnerSocket } from '../system/docker-engine.ts';
import { run } from '../system/shell.ts';
import { cgroupControllers, createCgroup, killAll, removeCgroup } from './cgroup.ts';
import type { DaemonOutput } from './daemon-output.ts';
import { daemonCommand, killStoppedDaemon, launchDaemon, stalePidFiles, writeHostFiles, writeShellProfile, writeTLSFiles, type DaemonTLS } from './daemon.ts';
import { enterNamespaces, helperEnvironment, startNamespaceHolder } from './namespaces.ts';
import { createNetwork, removeNetwork, type HostAddress } from './network.ts';
import { runtimeDirOf, sandboxIDPattern, sandboxPaths } from './paths.ts';
import { createDisk, createRuntimeDir, createUser, removeUserAndDisk } from './user-disk.ts';

export { daemonTLSPort, sandboxFirewall, type HostAddress } from './network.ts';

export interface SandboxHostSpec extends HostAddress {
  /** Lower-case letters and digits, 4–12 long; names the user, namespaces, cgroup and folders. */
  id: string;
  /** The other hosts of its session: they reach each other by name, on the daemon's TLS port only. */
  peers: readonly HostAddress[];
  /** From the session's authority: the daemon's server certificate and the learner's client one. */
  tls: DaemonTLS;
}

export interface SandboxHostRecord extends Omit<SandboxHostSpec, 'tls'> {
  user: string;
  uid: number;
  home: string;
  dockerSocket: string;
  /** The init holding the host's mount, PID, IPC and UTS namespaces (a machine pid). */
  holderPID: number;
  createdAt: string;
}

/** The steps of a cold start, in order, for `bench:host` to say where the time goes. */
export type CreatePhase = 'certificates' | 'user' | 'disk' | 'files' | 'network' | 'cgroup' | 'namespaces' | 'daemon';
export type PhaseRecorder = (phase: CreatePhase, ms: number) => void;

/** The Debian docker CLI (same release as the daemon) comes first: it builds without buildx. */
const learnerPath = '/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin';

export class SandboxHosts {
  readonly config: HostMachineConfig;
  readonly #outputs = new Map<string, DaemonOutput>();

  constructor(config: HostMachineConfig) {
    this.config = config;
  }

  names(id: string) {
    return sandboxPaths(this.config, id);
  }

  async create(spec: SandboxHostSpec, onPhase?: PhaseRecorder): Promise<SandboxHostRecord> {
    const n = this.names(spec.id);
    let last = performance.now();
    const phase = (name: CreatePhase) => {
      const now = performance.now();
      onPhase?.(name, now - last);
      last = now;
    };
    try {
      await mkdir(n.dir, { recursive: true, mode: 0o700 });
      const uid = await createUser(n.user, n.home);
      const runtimeDir = await createRuntimeDir(uid);
      phase('user');
      await createDisk(n.disk, n.home, uid, this.config.DOCA_HOST_DISK);
      phase('disk');
      await writeTLSFiles(n.home, uid, spec.tls);
      await writeShellProfile(n.home, uid, spec.name);
      await writeHostFiles(this.config, n, [spec, ...spec.peers]);
      phase('files');
      await createNetwork(this.config, { id: spec.id, netns: n.netns, hostVeth: n.hostVeth }, spec.address, spec.peers);
      phase('network');
      await createCgroup(n.cgroup, this.config);
      phase('cgroup');
      const holderPID = await startNamespaceHolder({ netns: n.netns, cgroup: n.cgroup, hostname: spec.name, hostsFile: n.hostsFile, resolvConf: n.resolvConf, trustStore: n.trustStore, tmpBytes: this.config.DOCA_HOST_TMP });
      phase('namespaces');
      const { tls: _tls, ...identity } = spec;
      const record: SandboxHostRecord = {
        ...identity,
        peers: spec.peers.map((peer) => ({ ...peer })),
        user: n.user,
        uid,
        home: n.home,
        dockerSocket: `${runtimeDir}/docker.sock`,
        holderPID,
        createdAt: new Date().toISOString(),
      };
      await writeFile(n.record, JSON.stringify(record, null, 2));
      await this.#startDaemon(record);
      phase('daemon');
      return record;
    } catch (error) {
      await this.destroy(spec.id);
      throw error;
    }
  }

  /** Removes everything the host was made of; safe on a half-created or already removed host. */
  async destroy(id: string): Promise<void> {
    this.#outputs.delete(id);
    const n = this.names(id);
    // The namespaces' init is in the cgroup too: with it gone, the kernel ends the whole PID namespace.
    await killAll(n.cgroup);
    await removeUserAndDisk(n.user, n.home);
    await removeNetwork(n);
    await removeCgroup(n.cgroup);
    await rm(n.dir, { recursive: true, force: true });
  }

  /**
   * Starts the host's daemon again after it stopped (the learner may kill their own dockerd): what
   * is left of the old one goes first, while the learner's shells stay.
   */
  async restartDaemon(record: SandboxHostRecord): Promise<void> {
    await killStoppedDaemon(this.names(record.id).cgroup);
    const { file, args } = this.commandIn(record, ['rm', '-f', ...stalePidFiles.map((name) => join(runtimeDirOf(record.uid), name))]);
    await run(file, args, { env: helperEnvironment });
    await this.#startDaemon(record);
  }

  /** The learner's interactive shell in the host, for a terminal. */
  shellCommand(record: SandboxHostRecord): { file: string; args: string[] } {
    return this.commandIn(record, ['bash', '-i'], { TERM: 'xterm-256color', COLORTERM: 'truecolor' });
  }

  /** Ids of every host this machine holds state for, finished or not. */
  async ids(): Promise<string[]> {
    const root = join(this.config.DOCA_STATE_DIR, 'hosts');
    return existsSync(root) ? (await readdir(root)).filter((id) => sandboxIDPattern.test(id)) : [];
  }

  /** Records of the hosts that finished starting. */
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
   * in its home, with only the environment given here (the agent's own never reaches the learner).
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
      XDG_RUNTIME_DIR: runtimeDirOf(record.uid),
      DOCKER_HOST: `unix://${record.dockerSocket}`,
      ...extraEnv,
    };
    return {
      file: 'nsenter',
      args: [
        ...enterNamespaces(record.holderPID, n.netns, record.home),
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

  /** What the host's daemon prints, while this agent runs it: its API calls and its latest lines. */
  daemonOutput(id: string): DaemonOutput | undefined {
    return this.#outputs.get(id);
  }

  async #startDaemon(record: SandboxHostRecord): Promise<void> {
    const { argv, env } = daemonCommand(this.config, record.home, record.dockerSocket);
    this.#outputs.set(record.id, await launchDaemon(this.commandIn(record, argv, env), learnerSocket(record.dockerSocket, record.uid), record.id));
  }
}
