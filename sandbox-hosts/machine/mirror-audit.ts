// Checks the mirror's storage folder against the image pins before the pipeline publishes: only the pinned
// repositories, tags and manifests stay, and only while every blob they use still matches its digest.
// Only the pipeline writes to the mirror, so whatever the pins do not name came from somewhere else.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pins } from '../images/pins.ts';

export interface AuditReport {
  /** What was removed and why, e.g. "library/evil: not pinned". */
  removed: string[];
}

/** The parts of Distribution's filesystem layout (registry/storage/paths.go) the audit reads. */
function layout(storage: string) {
  const root = join(storage, 'docker', 'registry', 'v2');
  return {
    repositories: join(root, 'repositories'),
    blob: (digest: string) => join(root, 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7)),
  };
}

/** The sections of a repository folder kept: manifests (tags, revisions) and layer links. */
const REPOSITORY_SECTIONS = new Set(['_manifests', '_layers']);
const UPLOADS = '_uploads';

export async function auditMirrorStorage(storage: string, pins: Pins): Promise<AuditReport> {
  const paths = layout(storage);
  const removed: string[] = [];
  const remove = async (path: string, what: string) => {
    await rm(path, { recursive: true, force: true });
    removed.push(what);
  };
  const blobs = new BlobCheck(paths.blob, remove);

  for (const entry of await list(paths.repositories)) {
    if (entry !== 'library') await remove(join(paths.repositories, entry), `${entry}/…: not a lab image`);
  }
  const library = join(paths.repositories, 'library');
  for (const name of await list(library)) {
    const repository = join(library, name);
    const pin = pins.images[name];
    if (!pin) {
      await remove(repository, `library/${name}: not pinned`);
      continue;
    }
    for (const entry of await list(repository)) {
      if (REPOSITORY_SECTIONS.has(entry)) continue;
      if (entry === UPLOADS) {
        // The registry keeps the folder, empty, after every push; what is in it was never finished.
        if ((await list(join(repository, entry))).length > 0) await remove(join(repository, entry), `library/${name}: unfinished uploads`);
      } else {
        await remove(join(repository, entry), `library/${name}/${entry}: not a lab image`);
      }
    }
    const tags = join(repository, '_manifests', 'tags');
    for (const tag of await list(tags)) {
      const expected = pin.tags[tag];
      const current = (await readFile(join(tags, tag, 'current', 'link'), 'utf8').catch(() => '')).trim();
      const problem = !expected
        ? 'not pinned'
        : current !== expected
          ? `points to ${current || 'nothing'}, pinned ${expected}`
          : await blobs.problemOfManifest(expected);
      if (problem) await remove(join(tags, tag), `library/${name}:${tag}: ${problem}`);
    }
    // A manifest pushed by digest alone is pullable by that digest: only the pinned ones stay.
    const pinned = new Set(Object.values(pin.tags));
    const revisions = join(repository, '_manifests', 'revisions', 'sha256');
    for (const hex of await list(revisions)) {
      if (!pinned.has(`sha256:${hex}`)) await remove(join(revisions, hex), `library/${name}@sha256:${hex}: not pinned`);
    }
  }
  return { removed };
}

/** Hashes each blob once per audit; a blob whose content does not match its digest is removed. */
class BlobCheck {
  private readonly verdicts = new Map<string, Promise<string | undefined>>();
  private readonly blobDir: (digest: string) => string;
  private readonly remove: (path: string, what: string) => Promise<void>;

  constructor(blobDir: (digest: string) => string, remove: (path: string, what: string) => Promise<void>) {
    this.blobDir = blobDir;
    this.remove = remove;
  }

  /** Undefined when the manifest and every blob it names are present and intact, else what is wrong. */
  async problemOfManifest(digest: string): Promise<string | undefined> {
    const problem = await this.problemOf(digest);
    if (problem) return `manifest ${problem}`;
    const manifest = JSON.parse(await readFile(join(this.blobDir(digest), 'data'), 'utf8')) as {
      config?: { digest: string };
      layers?: { digest: string }[];
    };
    if (!manifest.config || !manifest.layers) return 'manifest is not an image manifest';
    for (const blob of [manifest.config, ...manifest.layers]) {
      const blobProblem = await this.problemOf(blob.digest);
      if (blobProblem) return `blob ${blobProblem}`;
    }
    return undefined;
  }

  private problemOf(digest: string): Promise<string | undefined> {
    let verdict = this.verdicts.get(digest);
    if (!verdict) {
      verdict = this.check(digest);
      this.verdicts.set(digest, verdict);
    }
    return verdict;
  }

  private async check(digest: string): Promise<string | undefined> {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return `${digest} is not a sha256 digest`;
    const actual = await sha256OfFile(join(this.blobDir(digest), 'data'));
    if (actual === undefined) return `${digest} is missing`;
    if (actual === digest) return undefined;
    await this.remove(this.blobDir(digest), `blob ${digest}: its content hashes to ${actual}`);
    return `${digest} does not match its content`;
  }
}

async function sha256OfFile(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return `sha256:${hash.digest('hex')}`;
}

/** The entries of a folder; none when it does not exist. */
async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
}
