// The offline lab-image pipeline: builds the catalog's images from Debian packages in a private builder dockerd
// and pushes every tag to Doca's Docker Hub mirror as library/<name>:<tag>, skipping what the mirror already serves.
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
import { BUILD_HASH_LABEL, readPublishedTag, type PublishedTag } from './registry-api.ts';
import { createProgressPrinter, formatSummary } from './progress.ts';
import { CommandError, isAlive, removeTree, tailOfFile } from '../system/shell.ts';

export type BuildOptions = {
  /** host:port of the registry to push to, spoken to in plain HTTP. */
  mirror: string;
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
  status: 'built' | 'cached';
  seconds: number;
  buildHash: string;
  /** The manifest digest the mirror serves for every tag. */
  digest: string;
  /** What a learner's pull downloads (compressed). */
  pullBytes: number;
  /** Unpacked size as `docker images` shows it; known only for images built in this run. */
  imageBytes?: number;
};

export type BuildReport = { mirror: string; seconds: number; images: ImageResult[] };

export type BuildEvent =
  | { type: 'builder'; state: 'starting' | 'ready' | 'stopping' | 'stopped' }
  | { type: 'image-start'; image: string }
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
};

export async function buildImages(options: BuildOptions): Promise<BuildReport> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`Invalid build options: ${z.prettifyError(parsed.error)}`);
  const { mirror, stateDir: stateDirOption, only } = parsed.data;
  const stateDir = resolve(stateDirOption);
  assertHostReady();
  const images = await selectImages(only);
  await mkdir(join(stateDir, 'logs'), { recursive: true });
  const unlock = await lockStateDir(stateDir);
  const emit = options.onProgress ?? (() => {});
  const builder = lazyBuilder(stateDir, mirror, emit);
  const started = performance.now();
  try {
    const run: Run = { mirror, stateDir, signal: options.signal, emit, builder: builder.get, done: new Map() };
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

    const served = await servedBuild(image, hash, run);
    if (served) {
      return { ...identity(image, hash), status: 'cached', seconds: secondsSince(started), digest: served.digest, pullBytes: served.pullBytes };
    }

    const builder = await run.builder();
    if (image.build.kind === 'debootstrap') {
      run.emit({ type: 'image-step', image: image.name, step: 'debootstrap' });
      await importDebootstrap(builder, image, image.build, contextDir, hash, run, step);
    } else {
      run.emit({ type: 'image-step', image: image.name, step: 'building' });
      await ensureBases(builder, bases, run, step);
      await docker(builder, ['build', '--network', 'host', '--force-rm', '--label', `${BUILD_HASH_LABEL}=${hash}`, '--tag', localRef(image), contextDir], step);
    }
    run.emit({ type: 'image-step', image: image.name, step: 'pushing' });
    await pushTags(builder, image, run.mirror, step);

    const published = await servedBuild(image, hash, run);
    if (!published) throw new Error(`the mirror does not serve every tag of the ${image.name} image just pushed`);
    const imageBytes = Number((await docker(builder, ['image', 'inspect', '--format', '{{.Size}}', localRef(image)], step)).stdout.trim());
    return {
      ...identity(image, hash),
      status: 'built',
      seconds: secondsSince(started),
      digest: published.digest,
      pullBytes: published.pullBytes,
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

/** What the mirror serves for the image when every tag carries this build hash, else undefined. */
async function servedBuild(image: CatalogImage, hash: string, run: Run): Promise<PublishedTag | undefined> {
  const tags = await Promise.all(image.tags.map((tag) => readPublishedTag(run.mirror, `library/${image.name}`, tag, run.signal)));
  const complete = tags.every((tag) => tag?.buildHash === hash);
  return complete ? tags[0] : undefined;
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
    const served = `${run.mirror}/library/${base.name}@${run.done.get(base.name)?.digest}`;
    const local = await builder.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref]);
    if (local.code === 0 && (JSON.parse(local.stdout) as string[]).includes(served)) continue;
    const remote = `${run.mirror}/library/${ref}`;
    await docker(builder, ['pull', remote], step);
    await docker(builder, ['tag', remote, ref], step);
  }
}

async function pushTags(builder: Dockerd, image: CatalogImage, mirror: string, step: Step): Promise<void> {
  for (const tag of image.tags) {
    const remote = `${mirror}/library/${image.name}:${tag}`;
    if (tag !== image.tags[0]) await docker(builder, ['tag', localRef(image), `${image.name}:${tag}`], step);
    await docker(builder, ['tag', localRef(image), remote], step);
    await docker(builder, ['push', remote], step);
  }
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

/** One run per state directory at a time: two would share the builder daemon and its pidfile. */
async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  const lockFile = join(stateDir, 'build.lock');
  try {
    await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number((await readFile(lockFile, 'utf8')).trim());
    if (isAlive(holder)) throw new Error(`Another image build (pid ${holder}) is using ${stateDir}`);
    // Left by a run that was killed: take it over.
    await writeFile(lockFile, `${process.pid}\n`);
  }
  return () => rm(lockFile, { force: true });
}

function secondsSince(start: number): number {
  return Math.round((performance.now() - start) / 100) / 10;
}

const USAGE = `Usage: node sandbox-hosts/images/build.ts --mirror HOST:PORT --state-dir DIR [--only NAME,NAME]

Builds Doca's lab images and pushes them to the registry at HOST:PORT as library/<name>:<tag>.
Images: ${catalog.map((image) => image.name).join(', ')}`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { mirror: { type: 'string' }, 'state-dir': { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean' } },
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
