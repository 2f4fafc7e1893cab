// The offline lab-image pipeline: builds the catalog's images from Debian packages in a private builder dockerd,
// pushes every tag to Doca's Docker Hub mirror as library/<name>:<tag> and pins the digests it pushed. An image is
// skipped only when the mirror serves exactly its pinned digests for this build.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { catalog, findImage, type CatalogImage } from './catalog.ts';
import { buildHash, dockerfileBases, hashDirectory, stageContext, type BaseReference } from './context.ts';
import { debootstrapTarball, trimmedRootfs, type DebootstrapBuild } from './debootstrap.ts';
import type { Dockerd } from './dockerd.ts';
import { docker, lazyBuilder, localRef, pushTags, type BuilderState, type Step } from './builder.ts';
import { sandboxHostPackages } from '../machine/packages.ts';
import { BUILD_HASH_LABEL } from './registry-api.ts';
import { checkServed, readPins, writePins, type Pins, type ServedCheck } from './pins.ts';
import { lockStateDir } from './state-lock.ts';
import { CommandError, removeTree, tailOfFile } from '../system/shell.ts';

export type BuildOptions = {
  /** host:port of the registry to push to, spoken to in plain HTTP. */
  mirror: string;
  /**
   * The file recording the manifest digest of every tag pushed to that registry (mode 0600). An image counts as
   * published only while the registry serves exactly its pinned digests; otherwise it is pushed again.
   */
  pins: string;
  /** Where the builder daemon, the debootstrap cache and the build logs live, e.g. /var/lib/doca-images. */
  stateDir: string;
  onProgress?: (event: BuildEvent) => void;
  /** Catalog names to build; the images they are built FROM come along. Default: the whole catalog. */
  only?: string[];
  /** Aborting stops the running command and the builder, and rejects with the abort reason. */
  signal?: AbortSignal;
};

export type ImageResult = {
  name: string;
  tags: string[];
  /**
   * built: built and pushed in this run. restored: the builder still held this build, and it was pushed again
   * because the mirror no longer served it as pinned. cached: the mirror serves exactly the pinned digests.
   */
  status: 'built' | 'restored' | 'cached';
  seconds: number;
  buildHash: string;
  /** The manifest digest the mirror serves for the first tag. */
  digest: string;
  /** The pinned manifest digest of every tag. */
  digests: Record<string, string>;
  /** What a learner's pull downloads (compressed). */
  pullBytes: number;
  /** Unpacked size as `docker images` shows it; known only for images built in this run. */
  imageBytes?: number;
};

export type BuildReport = { mirror: string; seconds: number; images: ImageResult[] };

export type BuildEvent =
  | { type: 'builder'; state: BuilderState }
  /** Another run holds what this one needs next; it waits for it to finish. */
  | { type: 'waiting'; reason: string }
  | { type: 'image-start'; image: string }
  /** The mirror does not serve what was pinned for this very build (another writer, or a removal): it is pushed again. */
  | { type: 'image-untrusted'; image: string; reason: string }
  | { type: 'image-step'; image: string; step: 'debootstrap' | 'building' | 'pushing' }
  | { type: 'image-done'; result: ImageResult };

/** A failed image: names it, and carries the end of its build log. */
export class ImageBuildError extends Error {
  readonly image: string;
  readonly logFile: string;
  readonly logTail: string;
  constructor(image: string, logFile: string, logTail: string, cause: unknown) {
    const reason = cause instanceof CommandError ? cause.message.split('\n')[0] : String((cause as Error)?.message ?? cause);
    super(`Building the ${image} image failed: ${reason}\nLast lines of ${logFile}:\n${logTail}`, { cause });
    this.image = image;
    this.logFile = logFile;
    this.logTail = logTail;
  }
}

const IMAGES_DIR = import.meta.dirname;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** The machine's packages the pipeline itself runs (the catalog's host files are checked when staged). */
const HOST_TOOLS = sandboxHostPackages
  .filter((pkg) => ['docker.io', 'debootstrap', 'gcc', 'libc6-dev'].includes(pkg.packageName))
  .map((pkg) => ({ path: pkg.provides, packageName: pkg.packageName }));

const optionsSchema = z.object({
  mirror: z.string().regex(/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):\d{1,5}$/, 'the mirror must be host:port'),
  pins: z.string().min(1),
  stateDir: z.string().min(1),
  only: z.array(z.string()).optional(),
});


/** What one run shares between its images. */
type Run = {
  mirror: string;
  stateDir: string;
  signal?: AbortSignal;
  emit: (event: BuildEvent) => void;
  builder: () => Promise<Dockerd>;
  /** Every image handled so far, for the images built FROM them. */
  done: Map<string, ImageResult>;
  pins: Pins;
  pinsFile: string;
};

export async function buildImages(options: BuildOptions): Promise<BuildReport> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`Invalid build options: ${z.prettifyError(parsed.error)}`);
  const { mirror, stateDir: stateDirOption, only } = parsed.data;
  const stateDir = resolve(stateDirOption);
  const pinsFile = resolve(parsed.data.pins);
  assertHostReady();
  const images = await selectImages(only);
  await mkdir(join(stateDir, 'logs'), { recursive: true });
  const emit = options.onProgress ?? (() => {});
  const unlock = await lockStateDir(stateDir, (reason) => emit({ type: 'waiting', reason }), options.signal);
  const builder = lazyBuilder(stateDir, mirror, emit);
  const started = performance.now();
  try {
    const pins = await readPins(pinsFile);
    const run: Run = { mirror, stateDir, signal: options.signal, emit, builder: builder.get, done: new Map(), pins, pinsFile };
    const retired = Object.keys(pins.images).filter((name) => !findImage(name));
    if (retired.length > 0) {
      for (const name of retired) delete pins.images[name];
      await writePins(pinsFile, pins);
    }
    const results: ImageResult[] = [];
    for (const image of images) {
      const result = await processImage(image, run);
      run.done.set(image.name, result);
      results.push(result);
      emit({ type: 'image-done', result });
    }
    return { mirror, seconds: secondsSince(started), images: results };
  } finally {
    await builder.stop();
    await removeTree(join(stateDir, 'work'));
    await unlock();
  }
}

function assertHostReady(): void {
  if (process.getuid?.() !== 0) throw new Error('The image pipeline runs as root: it starts a rootful dockerd and runs debootstrap.');
  const missing = HOST_TOOLS.filter((tool) => !existsSync(tool.path));
  if (missing.length > 0) {
    const names = [...new Set(missing.map((tool) => tool.packageName))].join(' ');
    throw new Error(`Missing ${missing.map((tool) => tool.path).join(', ')}: apt-get install ${names}`);
  }
}

/** The requested images and, recursively, the images they are built FROM, in catalog (build) order. */
async function selectImages(only: string[] | undefined): Promise<CatalogImage[]> {
  if (!only) return [...catalog];
  const wanted = new Set<string>();
  const add = async (name: string): Promise<void> => {
    const image = findImage(name);
    if (!image) throw new Error(`No image named "${name}" in the catalog (${catalog.map((i) => i.name).join(', ')})`);
    wanted.add(name);
    for (const base of await basesOf(image)) await add(base.name);
  };
  for (const name of only) await add(name);
  return catalog.filter((image) => wanted.has(image.name));
}

async function basesOf(image: CatalogImage): Promise<BaseReference[]> {
  if (image.build.kind !== 'dockerfile') return [];
  return dockerfileBases(await readFile(join(IMAGES_DIR, image.name, 'Dockerfile'), 'utf8'));
}

async function processImage(image: CatalogImage, run: Run): Promise<ImageResult> {
  const started = performance.now();
  const log = join(run.stateDir, 'logs', `${image.name}.log`);
  const step: Step = { log, signal: run.signal };
  await writeFile(log, `${image.name}: ${new Date().toISOString()}\n`);
  run.emit({ type: 'image-start', image: image.name });
  try {
    const contextDir = join(run.stateDir, 'work', 'context', image.name);
    await stageContext(image, join(IMAGES_DIR, image.name), contextDir, log);
    const bases = await basesOf(image);
    const hash = buildHash(image.build, await hashDirectory(contextDir), bases.map((base) => baseHash(image, base, run)));

    const served = await servedPinnedBuild(image, hash, run);
    if (served.pinned) {
      return { ...identity(image, hash), status: 'cached', seconds: secondsSince(started), ...served.pinned, digest: served.pinned.digests[image.tags[0]] };
    }
    if (served.untrusted) run.emit({ type: 'image-untrusted', image: image.name, reason: served.untrusted });

    const builder = await run.builder();
    const restored = await holdsBuild(builder, image, hash);
    if (!restored && image.build.kind === 'debootstrap') {
      run.emit({ type: 'image-step', image: image.name, step: 'debootstrap' });
      await importDebootstrap(builder, image, image.build, contextDir, hash, run, step);
    } else if (!restored) {
      run.emit({ type: 'image-step', image: image.name, step: 'building' });
      await ensureBases(builder, bases, run, step);
      await docker(builder, ['build', '--network', 'host', '--force-rm', '--label', `${BUILD_HASH_LABEL}=${hash}`, '--tag', localRef(image), contextDir], step);
    }
    run.emit({ type: 'image-step', image: image.name, step: 'pushing' });
    const pushed = await pushTags(builder, image, run.mirror, step);
    const published = await checkServed(run.mirror, `library/${image.name}`, image.tags, pushed, run.signal);
    if (!published.pinned) throw new Error(`after the push, ${published.untrusted}`);
    run.pins.images[image.name] = { buildHash: hash, tags: pushed };
    await writePins(run.pinsFile, run.pins);

    const imageBytes = Number((await docker(builder, ['image', 'inspect', '--format', '{{.Size}}', localRef(image)], step)).stdout.trim());
    return {
      ...identity(image, hash),
      status: restored ? 'restored' : 'built',
      seconds: secondsSince(started),
      ...published.pinned,
      digest: pushed[image.tags[0]],
      imageBytes,
    };
  } catch (error) {
    if (run.signal?.aborted) throw run.signal.reason;
    throw new ImageBuildError(image.name, log, await tailOfFile(log, 30), error);
  }
}

function identity(image: CatalogImage, hash: string): Pick<ImageResult, 'name' | 'tags' | 'buildHash'> {
  return { name: image.name, tags: [...image.tags], buildHash: hash };
}

/** A base must be a catalog image listed earlier, FROM one of its tags: nothing may come from Docker Hub. */
function baseHash(image: CatalogImage, base: BaseReference, run: Run): string {
  const hash = run.done.get(base.name)?.buildHash;
  const known = findImage(base.name)?.tags.includes(base.tag);
  if (!hash || !known) {
    throw new Error(`${image.name} is built FROM ${base.name}:${base.tag}, which is not a tag of an image listed before it in the catalog`);
  }
  return hash;
}

/** Whether the mirror serves this build of the image exactly as pinned. Without a pin for this build hash, it never does. */
async function servedPinnedBuild(image: CatalogImage, hash: string, run: Run): Promise<ServedCheck> {
  const pin = run.pins.images[image.name];
  if (!pin || pin.buildHash !== hash || image.tags.some((tag) => !pin.tags[tag])) return {};
  return checkServed(run.mirror, `library/${image.name}`, image.tags, pin.tags, run.signal);
}

/**
 * Whether the builder still holds this very build (its first tag carries the build hash): then it is pushed
 * again as it is. The builder's data lives in the pipeline's root-only state folder, so its copy is trusted.
 */
async function holdsBuild(builder: Dockerd, image: CatalogImage, hash: string): Promise<boolean> {
  const label = await builder.docker(['image', 'inspect', '--format', `{{index .Config.Labels "${BUILD_HASH_LABEL}"}}`, localRef(image)]);
  return label.code === 0 && label.stdout.trim() === hash;
}

async function importDebootstrap(
  builder: Dockerd,
  image: CatalogImage,
  build: DebootstrapBuild,
  contextDir: string,
  hash: string,
  run: Run,
  step: Step,
): Promise<void> {
  const raw = await debootstrapTarball(build, run.stateDir, step);
  const rootfs = await trimmedRootfs(raw, contextDir, join(run.stateDir, 'work', image.name), step);
  const changes = [`CMD ${JSON.stringify(build.cmd)}`, `ENV PATH=${DEFAULT_PATH}`, `LABEL ${BUILD_HASH_LABEL}=${hash}`];
  await docker(builder, ['import', ...changes.flatMap((change) => ['--change', change]), rootfs, localRef(image)], step);
  await rm(rootfs, { force: true });
}

/**
 * Makes sure the builder holds exactly the image the mirror serves for every base, under the name the
 * Dockerfile uses, so learners' pulls share its layers. A missing or different one is pulled from the mirror:
 * otherwise `docker build` would use a stale one, or look for it on Docker Hub.
 */
async function ensureBases(builder: Dockerd, bases: BaseReference[], run: Run, step: Step): Promise<void> {
  for (const base of bases) {
    const ref = `${base.name}:${base.tag}`;
    // The registry's address may change between runs; the repository and the digest name the image.
    const served = `/library/${base.name}@${run.done.get(base.name)?.digests[base.tag]}`;
    const local = await builder.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref]);
    if (local.code === 0 && (JSON.parse(local.stdout) as string[]).some((repoDigest) => repoDigest.endsWith(served))) continue;
    const remote = `${run.mirror}/library/${ref}`;
    await docker(builder, ['pull', remote], step);
    await docker(builder, ['tag', remote, ref], step);
  }
}

function secondsSince(start: number): number {
  return Math.round((performance.now() - start) / 100) / 10;
}
