// Starts and stops a private rootful dockerd — the pipeline's builder, the tests' consumer — that keeps all
// its state in one directory and leaves the host's networking and every other Docker daemon alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForEngine } from '../system/docker-engine.ts';
import { isAlive, run, tailOfFile, unmountUnder, type RunOptions, type RunResult } from '../system/shell.ts';

/** Debian's docker.io daemon, and its 20.10 CLI: a newer CLI in /usr/local/bin needs buildx for builds. */
export const DOCKERD = '/usr/sbin/dockerd';
export const DOCKER_CLI = '/usr/bin/docker';

export type Dockerd = {
  dir: string;
  socket: string;
  /** Runs the docker CLI against this daemon, with the classic builder (BuildKit needs buildx here). */
  docker: (args: string[], options?: RunOptions) => Promise<RunResult>;
  stop: () => Promise<void>;
};

/**
 * Several rootful daemons on one host clobber each other's iptables chains and bridges, so this one
 * creates none: no bridge, no NAT, no forwarding. Containers get `--network host` or no network.
 */
const ISOLATION_FLAGS = ['--iptables=false', '--ip-masq=false', '--ip-forward=false', '--bridge=none'];

export async function startDockerd(stateDir: string, extraArgs: string[] = []): Promise<Dockerd> {
  const dir = resolve(stateDir);
  const socket = join(dir, 'docker.sock');
  const pidfile = join(dir, 'dockerd.pid');
  const logFile = join(dir, 'dockerd.log');
  await mkdir(join(dir, 'cli'), { recursive: true });
  // Without this the daemon writes its identity key to /etc/docker/key.json, shared with any other daemon.
  await writeFile(join(dir, 'daemon.json'), `${JSON.stringify({ 'deprecated-key-path': join(dir, 'key.json') })}\n`);
  await stopLeftoverDaemon(pidfile, dir);

  const args = [
    `--config-file=${join(dir, 'daemon.json')}`,
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'run')}`,
    `--pidfile=${pidfile}`,
    `--host=unix://${socket}`,
    ...ISOLATION_FLAGS,
    ...extraArgs,
  ];
  const log = openSync(logFile, 'a');
  // Its own process group: a Ctrl+C meant for the pipeline must not kill the daemon before the pipeline stops it.
  const child = spawn(DOCKERD, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  // A daemon that cannot be spawned reports 'error' instead of 'exit'; unheard, it would end the process.
  let spawnError: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.once('error', (error) => {
      spawnError = error;
      done();
    });
  });

  const ready = await Promise.race([waitForEngine(socket, 60_000), exited.then(() => false)]);
  if (!ready) {
    await stopChild(child, exited);
    throw new Error(`dockerd in ${dir} did not start: ${spawnError?.message ?? ''}\n${await tailOfFile(logFile, 15)}`);
  }
  return {
    dir,
    socket,
    docker: (dockerArgs, options = {}) =>
      run(DOCKER_CLI, ['--host', `unix://${socket}`, ...dockerArgs], {
        ...options,
        // DOCKER_CONFIG keeps the host user's CLI settings (credential helpers, contexts) out of it.
        env: { ...process.env, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: join(dir, 'cli'), ...options.env },
      }),
    stop: async () => {
      await stopChild(child, exited);
      // dockerd leaves the host network namespace bound under its exec root; nothing else should outlive it.
      await unmountUnder(join(dir, 'run'));
    },
  };
}

/** Stops the daemon an interrupted run left behind on this state directory, if any, so a new one can start. */
async function stopLeftoverDaemon(pidfile: string, dir: string): Promise<void> {
  const pid = Number((await readFile(pidfile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  // The pidfile may be stale and its pid reused: only a dockerd that uses this very data root is ours.
  if (!cmdline.includes(`--data-root=${join(dir, 'data')}\0`)) return;
  process.kill(pid, 'SIGTERM');
  if (!(await waitUntilGone(pid, 30_000))) {
    process.kill(pid, 'SIGKILL');
    await waitUntilGone(pid, 10_000);
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  // dockerd stops its containers and its containerd on SIGTERM; give it time before forcing it. The timer is
  // unreferenced so that, once the daemon is gone, it does not hold the caller's process open.
  const stopped = await Promise.race([exited.then(() => true), sleep(30_000, false, { ref: false })]);
  if (!stopped) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(200);
  }
  return false;
}

