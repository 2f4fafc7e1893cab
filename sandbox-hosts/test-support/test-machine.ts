// The sandbox-host configuration the tests run with: its own bridge, subnet and state folder, so a
// platform started with `npm start` on the same machine is left alone; the image mirror is shared.
// DOCA_TEST_SLOT (0–9) gives a second test run on the same machine a bridge and state of its own.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readHostMachineConfig } from '../machine/config.ts';
import { AddressPool } from '../sandbox/address-pool.ts';
import { helperEnvironment } from '../sandbox/namespaces.ts';
import { SandboxHosts, type SandboxHostRecord } from '../sandbox/sandbox-host.ts';
import { SandboxSessions, type SessionRecord } from '../sandbox/session.ts';

const slot = /^[0-9]$/.test(process.env.DOCA_TEST_SLOT ?? '') ? Number(process.env.DOCA_TEST_SLOT) : 0;

export const testConfig = readHostMachineConfig({
  DOCA_STATE_DIR: `/var/lib/doca-test${slot || ''}`,
  DOCA_BRIDGE: `docatest${slot}`,
  DOCA_BRIDGE_ADDRESS: `10.214.${slot}.1`,
  DOCA_MIRROR_DIR: '/var/lib/doca/mirror',
  DOCA_HOST_MEMORY: '1g',
  DOCA_HOST_PIDS: '512',
  DOCA_HOST_DISK: '3g',
  DOCA_HOST_TMP: '128m',
});

/** Where images are built and cached, shared with the platform so a build happens once per machine. */
export const imageStateDir = '/var/lib/doca';

export const sandboxHosts = new SandboxHosts(testConfig);
export const sandboxSessions = new SandboxSessions(sandboxHosts, new AddressPool(testConfig.DOCA_BRIDGE_ADDRESS));

/** A session of `hostCount` hosts; test ids start with "t". */
export function createTestSession(hostCount: number): Promise<SessionRecord> {
  return sandboxSessions.create(hostCount, `t${randomBytes(4).toString('hex').slice(0, 7)}`);
}

/** A one-host session's host, for tests about a single sandbox. */
export async function createTestHost(): Promise<SandboxHostRecord> {
  return (await createTestSession(1)).hosts[0];
}

export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a bash script in the host as its learner, the way their terminal would (the test's environment stays out, as the agent's does). */
export function learnerShell(record: SandboxHostRecord, script: string, timeoutMs = 120_000): Promise<ShellResult> {
  const { file, args } = sandboxHosts.commandIn(record, ['bash', '-c', script]);
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, env: helperEnvironment }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
