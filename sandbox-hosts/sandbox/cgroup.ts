// A sandbox host's v1 cgroup: memory (with swap), process and CPU caps over everything the host
// runs. Every process of the host lives in it and cannot leave, so it is also how they are found.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readlink, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostMachineConfig } from '../machine/config.ts';

export const cgroupControllers = ['memory', 'pids', 'cpu'] as const;

type CgroupConfig = Pick<HostMachineConfig, 'DOCA_HOST_MEMORY' | 'DOCA_HOST_PIDS' | 'DOCA_HOST_CPUS'>;

export async function createCgroup(cgroup: string, config: CgroupConfig): Promise<void> {
  const limits: Record<(typeof cgroupControllers)[number], [string, string][]> = {
    memory: [['memory.limit_in_bytes', String(config.DOCA_HOST_MEMORY)]],
    pids: [['pids.max', String(config.DOCA_HOST_PIDS)]],
    cpu: [
      ['cpu.cfs_period_us', '100000'],
      ['cpu.cfs_quota_us', String(Math.round(config.DOCA_HOST_CPUS * 100000))],
    ],
  };
  for (const controller of cgroupControllers) {
    const dir = `/sys/fs/cgroup/${controller}/${cgroup}`;
    await mkdir(dir, { recursive: true });
    for (const [file, value] of limits[controller]) await writeFile(join(dir, file), value);
  }
  // Without swap accounting the memory cap could be dodged by swapping.
  const memsw = `/sys/fs/cgroup/memory/${cgroup}/memory.memsw.limit_in_bytes`;
  if (existsSync(memsw)) await writeFile(memsw, String(config.DOCA_HOST_MEMORY));
}

/**
 * cgroup directories go with rmdir, one per controller (their files cannot be deleted). A process
 * killed a moment ago may still be exiting, which keeps the cgroup busy: that is waited out.
 */
export async function removeCgroup(cgroup: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const controller of cgroupControllers) {
    for (;;) {
      try {
        await rmdir(`/sys/fs/cgroup/${controller}/${cgroup}`);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || Date.now() > deadline) throw error;
        await killProcesses(cgroup);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}

export interface ProcessInfo {
  pid: number;
  command: string;
  /** Whether it is the init of a PID namespace below the machine's (its innermost pid is 1). */
  namespaceInit: boolean;
  /** The user namespace it runs in (`user:[…]`). */
  userNamespace: string;
  zombie: boolean;
}

/**
 * Ends every process of the cgroup. The init of its PID namespace goes first, alone: the kernel
 * then ends everything in that namespace and the init's parent (`unshare`, still alive) reaps it,
 * rather than leaving zombies to the machine's init, which may reap them late and so keep the
 * cgroup busy. Then whatever ran outside the namespace.
 */
export async function killAll(cgroup: string): Promise<void> {
  await killProcesses(cgroup, (p) => p.namespaceInit);
  for (let waited = 0; waited < 2_000 && (await processesOf(cgroup)).some((p) => p.namespaceInit); waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await killProcesses(cgroup);
}

/**
 * Kills the cgroup's processes that `select` picks (all by default) until none of them is left,
 * since a process may fork while the previous ones die. Zombies are already dead: they only wait
 * for their parent.
 */
export async function killProcesses(cgroup: string, select: (process: ProcessInfo) => boolean = () => true): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const targets = (await processesOf(cgroup)).filter((p) => !p.zombie && select(p));
    if (targets.length === 0) return;
    for (const { pid } of targets) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function processesOf(cgroup: string): Promise<ProcessInfo[]> {
  const procs = await readFile(`/sys/fs/cgroup/pids/${cgroup}/cgroup.procs`, 'utf8').catch(() => '');
  const pids = procs.split('\n').filter(Boolean).map(Number);
  return Promise.all(
    pids.map(async (pid) => {
      const [userNamespace, command, stat, status] = await Promise.all([
        readlink(`/proc/${pid}/ns/user`).catch(() => ''),
        readFile(`/proc/${pid}/comm`, 'utf8').catch(() => ''),
        readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''),
        readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''),
      ]);
      const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1].trim().split(/\s+/) ?? [];
      return {
        pid,
        command: command.trim(),
        namespaceInit: nspid.length > 1 && nspid.at(-1) === '1',
        userNamespace,
        zombie: stat === '' || / Z /.test(stat.slice(stat.lastIndexOf(')'))),
      };
    }),
  );
}
