// A sandbox host's Linux user, its home on a disk image of fixed size, and its runtime folder on a
// capped tmpfs: what the learner can fill is theirs alone, and counts against their own caps.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { check } from '../system/shell.ts';
import { runtimeDirOf } from './paths.ts';

/** The runtime folder holds sockets, pid files and the daemon's state: small, but never the machine's /run. */
const runtimeDirSize = '64m';

export async function createUser(user: string, home: string): Promise<number> {
  // useradd gives the user its own /etc/subuid and /etc/subgid ranges for the rootless daemon.
  if ((await userID(user)) === undefined) {
    await check('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/bin/bash', '--user-group', user]);
  }
  return (await userID(user))!;
}

/**
 * The home (and so the daemon's images and containers) lives on a disk image of fixed size,
 * mounted nodev and nosuid: nothing on it can open a device or gain the privileges of a file's owner.
 */
export async function createDisk(disk: string, home: string, uid: number, sizeBytes: number): Promise<void> {
  await check('truncate', ['-s', String(sizeBytes), disk]);
  await check('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1', disk]);
  await mkdir(home, { recursive: true });
  await check('mount', ['-o', 'loop,nodev,nosuid,noatime', disk, home]);
  await rm(join(home, 'lost+found'), { recursive: true, force: true });
  await check('chown', [`${uid}:${uid}`, home]);
  await check('chmod', ['700', home]);
}

/** $XDG_RUNTIME_DIR on a tmpfs of its own: capped in size, and its pages count in the host's memory cgroup. */
export async function createRuntimeDir(uid: number): Promise<string> {
  const dir = runtimeDirOf(uid);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await check('mount', ['-t', 'tmpfs', '-o', `size=${runtimeDirSize},mode=0700,uid=${uid},gid=${uid},nosuid,nodev`, 'tmpfs', dir]);
  return dir;
}

/** Unmounts and deletes the home, the runtime folder and the user; safe when any is already gone. */
export async function removeUserAndDisk(user: string, home: string): Promise<void> {
  await unmount(home);
  await rm(home, { recursive: true, force: true });
  const uid = await userID(user);
  if (uid === undefined) return;
  await unmount(runtimeDirOf(uid));
  await rm(runtimeDirOf(uid), { recursive: true, force: true });
  await check('userdel', [user]);
}

export async function userID(user: string): Promise<number | undefined> {
  try {
    return Number((await check('id', ['-u', user])).stdout.trim());
  } catch {
    return undefined;
  }
}

async function unmount(path: string): Promise<void> {
  if (await isMountPoint(path)) await check('umount', [path]).catch(() => check('umount', ['-l', path]));
}

export async function isMountPoint(path: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === path);
}
