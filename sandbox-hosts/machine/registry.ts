// Runs Debian's Distribution registry (`docker-registry`, 2.8) over a storage folder, read-only or
// writable, and collects the garbage it leaves.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { check, isAlive } from '../system/shell.ts';

export const REGISTRY = '/usr/bin/docker-registry';

export interface RegistrySpec {
  /** The storage folder (filesystem driver root). */
  storage: string;
  /** host:port to listen on; port 0 takes a free port of that host. */
  address: string;
  /**
   * Read-only: GET and HEAD only; blob uploads, manifest puts and deletes are refused with 405
   * (`maintenance.readonly`). Writable: pushes are accepted; deletes are refused either way.
   */
  readOnly: boolean;
  /** Where its configuration file is written. */
  configFile: string;
}

export interface Registry {
  /** host:port it listens on. */
  address: string;
  configFile: string;
  stop(): Promise<void>;
}

export function registryConfig(spec: Pick<RegistrySpec, 'storage' | 'address' | 'readOnly'>): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${spec.storage}`,
    '  maintenance:',
    // Unfinished uploads are removed by the pipeline, under its lock; a registry never deletes on its own.
    '    uploadpurging:',
    '      enabled: false',
    '    readonly:',
    `      enabled: ${spec.readOnly}`,
    'http:',
    `  addr: ${spec.address}`,
    '',
  ].join('\n');
}

export async function startRegistry(spec: RegistrySpec): Promise<Registry> {
  const [host, port] = splitAddress(spec.address);
  await stopLeftoverRegistries(spec.configFile);
  // A free port can be taken by someone else between the probe and the registry's bind: try another.
  for (let attempt = 1; ; attempt++) {
    // Bound first by this process, so a registry some earlier run left on the port is not taken for this one.
    const address = `${host}:${await freePort(host, port)}`;
    await writeFile(spec.configFile, registryConfig({ ...spec, address }), { mode: 0o600 });
    // It dies with this process: a registry left behind would hold the port the next start needs.
    const child = spawn('setpriv', ['--pdeathsig', 'SIGTERM', REGISTRY, 'serve', spec.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.once('error', () => undefined); // a spawn that failed never answers: reported below
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    if (await waitForRegistry(`http://${address}/v2/`, child, 10_000)) {
      return { address, configFile: spec.configFile, stop: () => stopProcess(child) };
    }
    await stopProcess(child, 'SIGKILL');
    if (port !== 0 || attempt === 3) {
      throw new Error(`The registry over ${spec.storage} did not start on ${address}: ${stderr.trim() || 'no output'}`);
    }
  }
}

/**
 * Deletes what no tag refers to any more: manifests and the blobs only they used. Run with no writable
 * registry over the storage; read-only ones may keep serving, they only lose what nothing references.
 */
export async function collectGarbage(configFile: string): Promise<void> {
  await check(REGISTRY, ['garbage-collect', '--delete-untagged', configFile]);
}

/**
 * Stops registries an earlier run of this same configuration left serving this config file (its process was
 * killed before it could stop them): they would hold the port, and could be writable.
 */
async function stopLeftoverRegistries(configFile: string): Promise<void> {
  const ours = `${REGISTRY}\0serve\0${configFile}\0`;
  const leftovers: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline === ours) leftovers.push(Number(entry));
  }
  for (const pid of leftovers) {
    signal(pid, 'SIGTERM');
    for (let waited = 0; isAlive(pid) && waited < 5_000; waited += 50) await sleep(50);
    if (isAlive(pid)) signal(pid, 'SIGKILL');
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}

/** `port` when nothing listens there (0: any free port), else rejects naming the address. */
export function freePort(host = '127.0.0.1', port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`${host}:${port} is already in use by another process`) : error),
    );
    server.listen(port, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForRegistry(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
