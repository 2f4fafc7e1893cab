// Gathers everything an image is built from into one directory and fingerprints it, so the pipeline can tell
// whether the mirror already serves exactly this build.
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, readlink, lstat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CatalogImage } from './catalog.ts';
import { check, removeTree } from '../system/shell.ts';

/** Static, stripped and without a C runtime (the source brings its own _start), as Docker's hello-world is built. */
const STATIC_C_FLAGS = ['-static', '-nostdlib', '-Os', '-s', '-fno-asynchronous-unwind-tables', '-Wall', '-Wextra', '-Werror'];

/**
 * Fills `contextDir` with the image's folder, the host files it copies and the binaries it compiles: the
 * exact build context, so hashing it covers every input, host binaries included.
 */
export async function stageContext(image: CatalogImage, sourceDir: string, contextDir: string, log: string): Promise<void> {
  await removeTree(contextDir);
  await mkdir(contextDir, { recursive: true });
  await cp(sourceDir, contextDir, { recursive: true });
  if (image.build.kind !== 'dockerfile') return;
  for (const hostFile of image.build.hostFiles) {
    await cp(hostFile, join(contextDir, basename(hostFile)), { dereference: true });
  }
  for (const source of image.build.staticC) {
    await check('gcc', [...STATIC_C_FLAGS, '-o', join(contextDir, basename(source, '.c')), join(sourceDir, source)], { log });
  }
}

/** A hash of the files below a directory: paths, contents, symlink targets and executable bits, not timestamps. */
export async function hashDirectory(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const path of await listFiles(dir)) {
    const full = join(dir, path);
    const stats = await lstat(full);
    if (stats.isSymbolicLink()) hash.update(`link ${path} ${await readlink(full)}\n`);
    else hash.update(`file ${path} ${stats.mode & 0o111 ? 'x' : '-'} ${sha256(await readFile(full))}\n`);
  }
  return hash.digest('hex');
}

/** The build hash: the recipe, the staged context and the build hashes of the images it is built FROM. */
export function buildHash(build: CatalogImage['build'], contextHash: string, baseHashes: string[]): string {
  return sha256(JSON.stringify({ build, contextHash, baseHashes }));
}

export type BaseReference = { name: string; tag: string };

/** The images a Dockerfile builds FROM, leaving out `scratch` and earlier stages of the same file. */
export function dockerfileBases(dockerfile: string): BaseReference[] {
  const stages = new Set<string>();
  const bases: BaseReference[] = [];
  for (const match of dockerfile.matchAll(/^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/gim)) {
    const reference = match[1] as string;
    if (reference !== 'scratch' && !stages.has(reference.toLowerCase())) {
      const [name, tag = 'latest'] = reference.split(':') as [string, string?];
      bases.push({ name, tag });
    }
    if (match[2]) stages.add(match[2].toLowerCase());
  }
  return bases;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(dir, path)));
    else files.push(path);
  }
  return files;
}
