// The offline lab-image pipeline: builds the catalog's images from Debian packages in a private builder dockerd,
// pushes every tag to Doca's Docker Hub mirror as library/<name>:<tag> and pins the digests it pushed. An image is
// skipped only when the mirror serves exactly its pinned digests for this build.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { catalog, findImage, type CatalogImage } from './catalog.ts';
import { buildHash, dockerfileBases, hashDirectory, stageContext, type BaseReference } from './context.ts';
import { debootstrapTarball, trimmedRootfs, type DebootstrapBuild } from './debootstrap.ts';
import { startDockerd, type Dockerd } from './dockerd.ts';
import { sandboxHostPackages } from '../machine/packages.ts';
import { BUILD_HASH_LABEL } from './registry-api.ts';
import { checkServed, readPins, writePins, type Pins, type ServedCheck } from './pins.ts';
import { createProgressPrinter, formatSummary } from './progress.ts';
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
  | { type: 'builder'; state: 'starting' | 'ready' | 'stopping' | 'stopped' }
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

/** Where an image's commands log to, and what stops them. */
type Step = { log: string; signal?: AbortSignal };

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

/** Pushes every tag and returns the manifest digest `docker push` reports for each. */
async function pushTags(builder: Dockerd, image: CatalogImage, mirror: string, step: Step): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const tag of image.tags) {
    const remote = `${mirror}/library/${image.name}:${tag}`;
    if (tag !== image.tags[0]) await docker(builder, ['tag', localRef(image), `${image.name}:${tag}`], step);
    await docker(builder, ['tag', localRef(image), remote], step);
    const pushed = await docker(builder, ['push', remote], step);
    // The last line reads "<tag>: digest: sha256:… size: …".
    const digest = / digest: (sha256:[0-9a-f]{64}) /.exec(pushed.stdout)?.[1];
    if (!digest) throw new Error(`docker push ${remote} did not report a digest`);
    digests[tag] = digest;
  }
  return digests;
}

/** The builder's name for a freshly built image: its first tag. */
function localRef(image: CatalogImage): string {
  return `${image.name}:${image.tags[0]}`;
}

async function docker(builder: Dockerd, args: string[], step: Step) {
  const result = await builder.docker(args, step);
  if (result.code !== 0) throw new CommandError('docker', args, result);
  return result;
}

/**
 * The builder daemon starts on the first image that needs building, so a run where the mirror already
 * serves everything finishes in about a second. Stopping it also drops superseded (dangling) images.
 */
function lazyBuilder(stateDir: string, mirror: string, emit: (event: BuildEvent) => void) {
  let started: Promise<Dockerd> | undefined;
  return {
    get: () => {
      started ??= (async () => {
        emit({ type: 'builder', state: 'starting' });
        const daemon = await startDockerd(join(stateDir, 'builder'), [`--insecure-registry=${mirror}`]);
        emit({ type: 'builder', state: 'ready' });
        return daemon;
      })();
      return started;
    },
    stop: async () => {
      const daemon = await started?.catch(() => undefined);
      if (!daemon) return;
      emit({ type: 'builder', state: 'stopping' });
      await daemon.docker(['image', 'prune', '--force']);
      await daemon.stop();
      emit({ type: 'builder', state: 'stopped' });
    },
  };
}

function secondsSince(start: number): number {
  return Math.round((performance.now() - start) / 100) / 10;
}

const USAGE = `Usage: node sandbox-hosts/images/build.ts --mirror HOST:PORT --state-dir DIR [--pins FILE] [--only NAME,NAME]

Builds Doca's lab images and pushes them to the registry at HOST:PORT as library/<name>:<tag>, recording the
digest of every tag pushed in FILE (default DIR/pins.json).
Images: ${catalog.map((image) => image.name).join(', ')}`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        mirror: { type: 'string' },
        'state-dir': { type: 'string' },
        pins: { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.mirror || !values['state-dir']) {
    console.error(USAGE);
    return 2;
  }
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error('Interrupted: the builder was stopped'));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const report = await buildImages({
      mirror: values.mirror,
      stateDir: values['state-dir'],
      pins: values.pins ?? join(values['state-dir'], 'pins.json'),
      only: values.only?.split(',').map((name) => name.trim()).filter(Boolean),
      onProgress: createProgressPrinter(process.stdout),
      signal: controller.signal,
    });
    console.log(formatSummary(report));
    return 0;
  } catch (error) {
    console.error(`\n${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  process.exitCode = await main(process.argv.slice(2));
}
