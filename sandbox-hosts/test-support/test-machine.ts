// The sandbox-host configuration the tests run with: its own bridge, subnet and state folder, so a
// platform started with `npm start` on the same machine is left alone; the image mirror is shared.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readHostMachineConfig } from '../host/config.ts';
import { SandboxHosts, type SandboxHostRecord } from '../sandbox/sandbox-host.ts';

export const testConfig = readHostMachineConfig({
  DOCA_STATE_DIR: '/var/lib/doca-test',
  DOCA_RUN_DIR: '/run/doca-test',
  DOCA_BRIDGE: 'docatest0',
  DOCA_BRIDGE_ADDRESS: '10.214.0.1',
  DOCA_MIRROR_DIR: '/var/lib/doca/mirror',
  DOCA_HOST_MEMORY: '1g',
  DOCA_HOST_PIDS: '512',
  DOCA_HOST_DISK: '3g',
  DOCA_HOST_TMP: '128m',
});

/** Where images are built and cached, shared with the platform so a build happens once per machine. */
export const imageStateDir = '/var/lib/doca';

export const sandboxHosts = new SandboxHosts(testConfig);

let nextAddress = 10 + Math.floor(Math.random() * 100);

export function createTestHost(peers: readonly string[] = [], address = nextTestAddress()): Promise<SandboxHostRecord> {
  return sandboxHosts.create({ id: `t${randomBytes(4).toString('hex').slice(0, 7)}`, address, peers });
}

export function nextTestAddress(): string {
  nextAddress = nextAddress >= 250 ? 10 : nextAddress + 1;
  return `10.214.0.${nextAddress}`;
}

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a bash script in the host as its learner, the way their terminal would. */
export function learnerShell(record: SandboxHostRecord, script: string, timeoutMs = 120_000): Promise<ShellResult> {
  const { file, args } = sandboxHosts.commandIn(record, ['bash', '-c', script]);
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
