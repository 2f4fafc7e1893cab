// Reads what Doca's Docker Hub mirror (a plain-HTTP registry) serves for a tag, through the Registry HTTP API v2.
import { createHash } from 'node:crypto';

/** The label every pipeline-built image carries: the hash of everything it was built from. */
export const BUILD_HASH_LABEL = 'org.doca.build-hash';

export type Descriptor = { digest: string; size: number };

export type ServedTag = {
  /** The sha256 of the manifest bytes served: computed here, not taken from the registry's header. */
  digest: string;
  /** The config and the layers the manifest names; none for a manifest list or a schema 1 manifest. */
  blobs: Descriptor[];
  /** What a pull downloads: the compressed layers plus the config. */
  pullBytes: number;
};

const MANIFEST_TYPES = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'];

type Manifest = { config?: Descriptor; layers?: Descriptor[] };

/** What the mirror serves as `<repository>:<tag>`, or undefined when it serves nothing there. */
export async function readServedTag(mirror: string, repository: string, tag: string, signal?: AbortSignal): Promise<ServedTag | undefined> {
  const response = await request(mirror, `${repository}/manifests/${tag}`, 'GET', signal);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`mirror ${mirror} answered ${response.status} for ${repository}:${tag}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const manifest = parseManifest(bytes);
  if (!manifest?.config || !manifest.layers) return { digest, blobs: [], pullBytes: 0 };
  const blobs = [manifest.config, ...manifest.layers];
  return { digest, blobs, pullBytes: blobs.reduce((sum, blob) => sum + blob.size, 0) };
}

/** The blobs of `blobs` the mirror does not serve in `repository` at their recorded size. */
export async function missingBlobs(mirror: string, repository: string, blobs: Descriptor[], signal?: AbortSignal): Promise<string[]> {
  const missing: string[] = [];
  for (const blob of blobs) {
    const response = await request(mirror, `${repository}/blobs/${blob.digest}`, 'HEAD', signal);
    if (!response.ok || Number(response.headers.get('content-length')) !== blob.size) missing.push(blob.digest);
  }
  return missing;
}

function parseManifest(bytes: Buffer): Manifest | undefined {
  try {
    return JSON.parse(bytes.toString('utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function request(mirror: string, path: string, method: 'GET' | 'HEAD', signal?: AbortSignal): Promise<Response> {
  return fetch(`http://${mirror}/v2/${path}`, { method, headers: { accept: MANIFEST_TYPES.join(', ') }, signal }).catch((error: Error) => {
    if (signal?.aborted) throw error;
    throw new Error(`cannot reach the mirror at http://${mirror}/v2/ (${(error.cause as Error | undefined)?.message ?? error.message})`);
  });
}
