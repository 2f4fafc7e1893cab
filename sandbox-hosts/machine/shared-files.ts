// The programs every sandbox runs (dockerd, containerd, runc, rootlesskit…) and their libraries are
// shared by all of them, but the kernel charges a file's cached pages to the memory cgroup that first
// read it. Read first by a sandbox, they would count in its memory cap, and its own memory bomb would
// evict them for everyone: each neighbour's next `docker run` then waits on the disk. Read by the
// agent before any sandbox starts, they are charged to the machine, outside every sandbox's cap.
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';

/** What a sandbox host runs, from the daemon down to the learner's shell. */
export const sandboxPrograms = [
  '/usr/sbin/dockerd',
  '/usr/bin/containerd',
  '/usr/bin/containerd-shim-runc-v2',
  '/usr/sbin/runc',
  '/usr/sbin/docker-proxy',
  '/usr/bin/docker',
  '/usr/bin/rootlesskit',
  '/usr/bin/rootlesskit-docker-proxy',
  '/usr/bin/slirp4netns',
  '/usr/bin/newuidmap',
  '/usr/bin/newgidmap',
  '/usr/bin/tini-static',
  '/usr/sbin/iptables',
  '/usr/bin/nsenter',
  '/bin/bash',
  '/bin/busybox',
];

/** The programs and the shared libraries they load; returns how many bytes were read. */
export async function chargeSharedFilesToMachine(programs: readonly string[] = sandboxPrograms): Promise<number> {
  const files = new Set(programs);
  for (const program of programs) for (const library of await librariesOf(program)) files.add(library);
  let bytes = 0;
  const buffer = Buffer.alloc(1024 * 1024);
  for (const file of files) {
    const handle = await open(file, 'r').catch(() => undefined);
    if (!handle) continue;
    try {
      for (let read = -1; read !== 0; bytes += read) read = (await handle.read(buffer, 0, buffer.length, null)).bytesRead;
    } finally {
      await handle.close();
    }
  }
  return bytes;
}

async function librariesOf(program: string): Promise<string[]> {
  // ldd lists what the dynamic loader maps; a static program has none.
  const { stdout } = await promisify(execFile)('ldd', [program]).catch(() => ({ stdout: '' }));
  return [...stdout.matchAll(/(\/\S+\.so[^\s]*)/g)].map((match) => match[1]);
}
