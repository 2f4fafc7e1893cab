// A learner abusing their own sandbox — fork bomb, memory bomb, disk fill — is stopped at its walls:
// the machine and another learner's sandbox keep working.
import { statfsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, learnerShell, sandboxHosts, testConfig } from '../test-support/test-machine.ts';
import type { SandboxHostRecord } from './sandbox-host.ts';

describe('abuse inside one sandbox', () => {
  let abuser: SandboxHostRecord;
  let neighbour: SandboxHostRecord;
  const neighbourWorks = async () => (await learnerShell(neighbour, 'docker run --rm busybox echo still-fine')).stdout.trim();
  const machineWorks = () => spawnSync('sh', ['-c', 'for i in 1 2 3 4 5; do /bin/true; done; echo ok'], { encoding: 'utf8' }).stdout.trim();

  beforeAll(async () => {
    [abuser, neighbour] = await Promise.all([createTestHost(), createTestHost()]);
    await Promise.all([learnerShell(abuser, 'docker pull -q busybox'), learnerShell(neighbour, 'docker pull -q busybox')]);
  });
  afterAll(() => Promise.all([abuser, neighbour].filter(Boolean).map((h) => sandboxHosts.destroy(h.id))));

  it('a fork bomb hits the sandbox pids cap', async () => {
    const bomb = learnerShell(abuser, `docker run --rm --name bomba busybox sh -c 'b(){ b | b & }; b' 2>&1`, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const pids = Number(spawnSync('cat', [`/sys/fs/cgroup/pids/doca/${abuser.id}/pids.current`], { encoding: 'utf8' }).stdout);
    expect(pids).toBeLessThanOrEqual(testConfig.DOCA_HOST_PIDS);
    expect(machineWorks()).toBe('ok');
    expect(await neighbourWorks()).toBe('still-fine');
    await learnerShell(abuser, 'docker kill bomba >/dev/null 2>&1 || true');
    await bomb;
  });

  it('a memory bomb is killed inside the sandbox', async () => {
    const result = await learnerShell(abuser, `docker run --rm busybox sh -c 'x=$(head -c 3000000000 /dev/zero | tr "\\\\0" a); echo survived' 2>&1; echo "exit=$?"`, 120_000);
    expect(result.stdout).not.toContain('survived');
    expect(result.stdout).toContain('exit=137'); // SIGKILL from the out-of-memory killer
    const oomControl = spawnSync('cat', [`/sys/fs/cgroup/memory/doca/${abuser.id}/memory.oom_control`], { encoding: 'utf8' }).stdout;
    expect(Number(/^oom_kill (\d+)$/m.exec(oomControl)?.[1])).toBeGreaterThan(0);
    expect(machineWorks()).toBe('ok');
    expect(await neighbourWorks()).toBe('still-fine');
  });

  it('a container filling the disk fills only the sandbox disk', async () => {
    const free = () => statfsSync(testConfig.DOCA_STATE_DIR).bavail * statfsSync(testConfig.DOCA_STATE_DIR).bsize;
    const before = free();
    const result = await learnerShell(abuser, `docker run --rm busybox dd if=/dev/zero of=/enche bs=1M count=100000 2>&1; echo "exit=$?"`, 240_000);
    expect(result.stdout).toMatch(/No space left on device/);
    expect(before - free()).toBeLessThan(testConfig.DOCA_HOST_DISK * 1.1);
    expect(machineWorks()).toBe('ok');
    expect(await neighbourWorks()).toBe('still-fine');
  });
});
