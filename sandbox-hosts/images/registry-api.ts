// Reads what Doca's Docker Hub mirror (a plain-HTTP registry) serves for a tag, through the Registry HTTP API v2.

/** The label every pipeline-built image carries: the hash of everything it was built from. */
export const BUILD_HASH_LABEL = 'org.doca.build-hash';

export type PublishedTag = {
  digest: string;
  /** What a pull downloads: the compressed layers plus the config. */
  pullBytes: number;
  buildHash: string | undefined;
};

const MANIFEST_TYPES = ['application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.oci.image.manifest.v1+json'];

type Manifest = { config?: { digest: string; size: number }; layers?: { size: number }[] };
type ImageConfig = { config?: { Labels?: Record<string, string> | null } };

/** What the mirror serves as `<repository>:<tag>`, or undefined when it serves nothing there. */
export async function readPublishedTag(
  mirror: string,
  repository: string,
  tag: string,
  signal?: AbortSignal,
): Promise<PublishedTag | undefined> {
  const base = `http://${mirror}/v2/${repository}`;
  const response = await fetch(`${base}/manifests/${tag}`, { headers: { accept: MANIFEST_TYPES.join(', ') }, signal }).catch(
    (error: Error) => {
      if (signal?.aborted) throw error;
      throw new Error(`cannot reach the mirror at http://${mirror}/v2/ (${(error.cause as Error | undefined)?.message ?? error.message})`);
    },
  );
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`mirror ${mirror} answered ${response.status} for ${repository}:${tag}`);
  const manifest = (await response.json()) as Manifest;
  const digest = response.headers.get('docker-content-digest') ?? '';
  // A manifest list or an old schema 1 manifest was not pushed by this pipeline.
  if (!manifest.config || !manifest.layers) return { digest, pullBytes: 0, buildHash: undefined };

  const configResponse = await fetch(`${base}/blobs/${manifest.config.digest}`, { signal });
  if (!configResponse.ok) throw new Error(`mirror ${mirror} answered ${configResponse.status} for the config of ${repository}:${tag}`);
  const config = (await configResponse.json()) as ImageConfig;
  return {
    digest,
    pullBytes: manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
    buildHash: config.config?.Labels?.[BUILD_HASH_LABEL],
  };
}
