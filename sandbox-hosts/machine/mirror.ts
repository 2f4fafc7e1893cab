// The Docker Hub mirror: a plain registry on the bridge address holding `library/<name>` images,
// which every sandbox daemon is configured to pull from first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bridgeSubnet, mirrorDir, type HostMachineConfig } from './config.ts';

type MirrorConfig = Pick<HostMachineConfig, 'DOCA_STATE_DIR' | 'DOCA_MIRROR_DIR' | 'DOCA_BRIDGE_ADDRESS' | 'DOCA_MIRROR_PORT'>;

export interface Mirror {
  /** host:port, as sandbox daemons and image pushes address it. */
  address: string;
  stop(): Promise<void>;
}

export async function startMirror(config: MirrorConfig): Promise<Mirror> {
  const address = `${bridgeSubnet(config).gateway}:${config.DOCA_MIRROR_PORT}`;
  const storage = mirrorDir(config);
  await mkdir(storage, { recursive: true });
  await mkdir(config.DOCA_STATE_DIR, { recursive: true });
  const configFile = join(config.DOCA_STATE_DIR, 'mirror.yml');
  await writeFile(
    configFile,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storage}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${address}`,
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/bin/docker-registry', ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  if (!(await waitForRegistry(`http://${address}/v2/`, child, 10_000))) {
    child.kill('SIGKILL');
    throw new Error(`The Docker Hub mirror did not start on ${address}: ${stderr.trim() || 'no output'}`);
  }
  return { address, stop: () => stopProcess(child) };
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

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
