// Makes the root filesystem of a debootstrap-built image: a debootstrap tarball cached under the state
// directory, then trimmed by the image folder's trim.sh into the tarball that `docker import` takes.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ImageBuild } from './catalog.ts';
import { check, removeTree } from '../system/shell.ts';

export type DebootstrapBuild = Extract<ImageBuild, { kind: 'debootstrap' }>;

type Step = { log: string; signal?: AbortSignal };

/**
 * The untouched debootstrap tree as a tarball, made once per recipe: debootstrap is the slowest step of a
 * cold build, and trimming is cheap to redo. Only the newest tarball for a suite and variant is kept.
 */
export async function debootstrapTarball(build: DebootstrapBuild, stateDir: string, step: Step): Promise<string> {
  const arch = (await check('dpkg', ['--print-architecture'])).stdout.trim();
  const key = createHash('sha256').update(JSON.stringify({ build, arch })).digest('hex').slice(0, 16);
  const prefix = `debootstrap-${build.suite}-${build.variant}-`;
  const cacheDir = join(stateDir, 'cache');
  const tarball = join(cacheDir, `${prefix}${key}.tar`);
  if (existsSync(tarball)) return tarball;

  const root = join(stateDir, 'work', 'debootstrap');
  await removeTree(root);
  await mkdir(cacheDir, { recursive: true });
  await check('debootstrap', [`--variant=${build.variant}`, build.suite, root, build.aptMirror], step);
  // Written under a temporary name and renamed, so an interrupted run never leaves a truncated cache entry.
  await check('tar', ['--numeric-owner', '-C', root, '-cf', `${tarball}.partial`, '.'], step);
  await rename(`${tarball}.partial`, tarball);
  await removeTree(root);
  for (const stale of await readdir(cacheDir)) {
    if (stale.startsWith(prefix) && stale !== basename(tarball)) await rm(join(cacheDir, stale), { force: true });
  }
  return tarball;
}

/** Unpacks the debootstrap tarball, runs `trim.sh <root>` from the staged context and packs the result. */
export async function trimmedRootfs(rawTarball: string, contextDir: string, workDir: string, step: Step): Promise<string> {
  const root = join(workDir, 'rootfs');
  const output = join(workDir, 'rootfs.tar');
  await removeTree(root);
  await mkdir(root, { recursive: true });
  await check('tar', ['--numeric-owner', '-xpf', rawTarball, '-C', root], step);
  await check('sh', ['./trim.sh', root], { ...step, cwd: contextDir });
  await check('tar', ['--numeric-owner', '-C', root, '-cf', output, '.'], step);
  await removeTree(root);
  return output;
}
