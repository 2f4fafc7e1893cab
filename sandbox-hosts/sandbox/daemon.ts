// A sandbox host's rootless Docker daemon: its TLS files and trust store, the learner's shell
// profile, and starting it (again) as the learner inside the host's namespaces and cgroup.
import { spawn } from 'node:child_process';
import { mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bridgeSubnet, certificateAuthorityFiles, type HostMachineConfig } from '../machine/config.ts';
import type { Certificate } from '../machine/certificates.ts';
import { hubHostNames } from '../machine/hub-stand-in.ts';
import { check, tail } from '../system/shell.ts';
import { waitForEngine, type LearnerSocket } from '../system/docker-engine.ts';
import { shellHookLines } from '../terminal/shell-marks.ts';
import { DaemonOutput } from './daemon-output.ts';
import { killProcesses } from './cgroup.ts';
import { daemonTLSPort, type HostAddress } from './network.ts';
import { helperEnvironment } from './namespaces.ts';

export const rootlessScript = '/usr/share/docker.io/contrib/dockerd-rootless.sh';
const systemTrustStore = '/etc/ssl/certs/ca-certificates.crt';
/** Where a host keeps its daemon's TLS certificates, in its home. */
const daemonTLSDir = '.config/doca/daemon-tls';

export interface DaemonTLS {
  ca: string;
  server: Certificate;
  client: Certificate;
}

/**
 * The daemon's certificates, and the learner's client ones where the docker CLI looks by default
 * (~/.docker), so `docker -H tcp://host2:2376 --tlsverify` works as written.
 */
export async function writeTLSFiles(home: string, uid: number, tls: DaemonTLS): Promise<void> {
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

/**
 * The prompt names the host (host1, host2…), the name the lesson and the other hosts use for it; the
 * hook marks each command's start and end for the lab's checks and the command flow.
 */
export async function writeShellProfile(home: string, uid: number, name: string): Promise<void> {
  const file = join(home, '.bashrc');
  const profile = [
    '[ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion',
    `PS1='\\[\\e[1;32m\\]${name}\\[\\e[0m\\]:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]\\$ '`,
    ...shellHookLines,
    '',
  ];
  await writeFile(file, profile.join('\n'), { mode: 0o644 });
  await check('chown', [`${uid}:${uid}`, file]);
}

/**
 * The files the host's mount namespace puts over the machine's: /etc/hosts (the Docker Hub names
 * lead to the stand-in, the session's hosts by name), a resolver that answers at once, and a trust
 * store with the machine's CA — Docker checks Docker Hub against the system store only, not certs.d.
 */
export async function writeHostFiles(config: HostMachineConfig, files: { hostsFile: string; resolvConf: string; trustStore: string }, sessionHosts: readonly HostAddress[]): Promise<void> {
  const { gateway } = bridgeSubnet(config);
  const names = [`127.0.0.1\tlocalhost`, `::1\tlocalhost`, `${gateway}\t${hubHostNames.join(' ')}`, ...sessionHosts.map((host) => `${host.address}\t${host.name}`)];
  await writeFile(files.hostsFile, names.join('\n') + '\n');
  await writeFile(files.resolvConf, 'nameserver 127.0.0.1\n');
  const system = await readFile(systemTrustStore, 'utf8');
  const machineCA = await readFile(certificateAuthorityFiles(config).cert, 'utf8');
  await writeFile(files.trustStore, `${system.trimEnd()}\n${machineCA}`);
}

/** The rootless daemon's command line: the mirror first, the socket, and TLS for the session's other hosts. */
export function daemonCommand(config: HostMachineConfig, home: string, dockerSocket: string): { argv: string[]; env: Record<string, string> } {
  const mirror = `${bridgeSubnet(config).gateway}:${config.DOCA_MIRROR_PORT}`;
  const tls = (file: string) => join(home, daemonTLSDir, file);
  return {
    // Debug level: the daemon logs each API call it answers, which the lab checks and the flow read.
    argv: [rootlessScript, '--log-level', 'debug', '--registry-mirror', `http://${mirror}`, '--insecure-registry', mirror,
      '-H', `unix://${dockerSocket}`, '-H', `tcp://0.0.0.0:${daemonTLSPort}`,
      '--tlsverify', '--tlscacert', tls('ca.pem'), '--tlscert', tls('cert.pem'), '--tlskey', tls('key.pem')],
    // rootlesskit forwards the daemon's TLS port from its own namespace to the host's address.
    env: { DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS: `--publish 0.0.0.0:${daemonTLSPort}:${daemonTLSPort}/tcp` },
  };
}

/**
 * Starts the daemon from a prepared command line and waits until its API answers, or it exits; its
 * output goes to the agent through a pipe (daemon-output.ts), which this returns. The socket is the
 * learner's: reached only as a socket the learner owns, never through a link.
 */
export async function launchDaemon(command: { file: string; args: string[] }, socket: LearnerSocket, label: string): Promise<DaemonOutput> {
  // Detached: the daemon outlives this call; its environment is only what the command line sets.
  const child = spawn(command.file, command.args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: helperEnvironment });
  child.unref();
  const output = new DaemonOutput([child.stdout, child.stderr]);
  const exited = new AbortController();
  child.once('exit', () => exited.abort());
  // A spawn that fails (EAGAIN on a loaded machine) ends this start, not the agent.
  child.once('error', () => exited.abort());
  const ready = await waitForEngine(socket, 20_000, exited.signal);
  child.removeAllListeners('exit');
  if (!ready) {
    const said = tail(output.tail(16), 8);
    throw new Error(`The Docker daemon of sandbox host ${label} ${exited.signal.aborted ? 'exited before it was ready' : 'did not start within 20 s'}:\n${said}`);
  }
  return output;
}

/**
 * What is left of a stopped daemon goes before it starts again: rootlesskit and every process
 * inside its user namespace (container shims and containers), while the learner's shells, outside
 * it, stay.
 */
export async function killStoppedDaemon(cgroup: string): Promise<void> {
  const machineUserNamespace = await readlink('/proc/self/ns/user');
  await killProcesses(cgroup, (p) => (p.userNamespace !== '' && p.userNamespace !== machineUserNamespace) || ['rootlesskit', 'slirp4netns'].includes(p.command));
}

/**
 * The pid files dockerd would trust even when their process is a zombie, relative to the runtime
 * folder. The learner owns that folder, so they are removed as the learner, never by root.
 */
export const stalePidFiles = ['docker.pid', 'docker/containerd/containerd.pid'];
