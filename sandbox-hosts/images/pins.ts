// The pipeline's record of what it pushed — per image, the build hash and the manifest digest of every
// tag — and the check of a mirror against it: the mirror is trusted only where it serves exactly these.
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { missingBlobs, readServedTag } from './registry-api.ts';

const pinsSchema = z.object({
  version: z.literal(1),
  images: z.record(
    z.string(),
    z.object({
      buildHash: z.string().min(1),
      /** tag → manifest digest, as pushed. */
      tags: z.record(z.string(), z.string().regex(/^sha256:[0-9a-f]{64}$/)),
    }),
  ),
});

export type Pins = z.infer<typeof pinsSchema>;
export type ImagePin = Pins['images'][string];

/** The pins in `file`; none when it does not exist. A file that does not parse is an error, not an empty pin set. */
export async function readPins(file: string): Promise<Pins> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return { version: 1, images: {} };
  const fix = 'delete the file to push every image again';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`The image pins in ${file} are not JSON: ${fix}`);
  }
  const parsed = pinsSchema.safeParse(data);
  if (!parsed.success) throw new Error(`The image pins in ${file} are not valid (${z.prettifyError(parsed.error)}): ${fix}`);
  return parsed.data;
}

/** Replaces `file` at once (a crash leaves the old or the new pins, never half), readable by root only. */
export async function writePins(file: string, pins: Pins): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(pins, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

export type ServedCheck = {
  /** Set when the mirror serves exactly the expected digests. */
  pinned?: { digests: Record<string, string>; pullBytes: number };
  /** Why it does not: what it serves instead. */
  untrusted?: string;
};

/**
 * Whether the mirror serves, for every tag of `tags` in `repository`, exactly the manifest digest `expected`
 * names (hashed here from the bytes served), and every blob that manifest names at its size.
 */
export async function checkServed(
  mirror: string,
  repository: string,
  tags: readonly string[],
  expected: Record<string, string>,
  signal?: AbortSignal,
): Promise<ServedCheck> {
  let pullBytes = 0;
  for (const tag of tags) {
    const served = await readServedTag(mirror, repository, tag, signal);
    if (!served) return { untrusted: `${repository}:${tag} is missing (pinned ${expected[tag]})` };
    if (served.digest !== expected[tag]) return { untrusted: `${repository}:${tag} is ${served.digest}, pinned ${expected[tag]}` };
    const missing = await missingBlobs(mirror, repository, served.blobs, signal);
    if (missing.length > 0) return { untrusted: `${repository}:${tag} lacks blob ${missing.join(', ')}` };
    if (tag === tags[0]) pullBytes = served.pullBytes;
  }
  return { pinned: { digests: Object.fromEntries(tags.map((tag) => [tag, expected[tag]])), pullBytes } };
}
