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

/** cgroup directories go with rmdir, one per controller (their files cannot be deleted). */
export async function removeCgroup(cgroup: string): Promise<void> {
  for (const controller of cgroupControllers) {
    await rmdir(`/sys/fs/cgroup/${controller}/${cgroup}`).catch((error) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

export interface ProcessInfo {
  pid: number;
  command: string;
  /** The user namespace it runs in (`user:[…]`). */
  userNamespace: string;
  zombie: boolean;
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
      const [userNamespace, command, stat] = await Promise.all([
        readlink(`/proc/${pid}/ns/user`).catch(() => ''),
        readFile(`/proc/${pid}/comm`, 'utf8').catch(() => ''),
        readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''),
      ]);
      return { pid, command: command.trim(), userNamespace, zombie: stat === '' || / Z /.test(stat.slice(stat.lastIndexOf(')'))) };
    }),
  );
}
