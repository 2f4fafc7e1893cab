// What the image pipeline asks of its private builder daemon: started on first need, commands that
// must succeed, an image's local name, and pushing its tags to the mirror.
import { join } from 'node:path';
import { CommandError } from '../system/shell.ts';
import type { CatalogImage } from './catalog.ts';
import { startDockerd, type Dockerd } from './dockerd.ts';

/** Where an image's commands log to, and what stops them. */
export type Step = { log: string; signal?: AbortSignal };

export type BuilderState = 'starting' | 'ready' | 'stopping' | 'stopped';

/** Pushes every tag and returns the manifest digest `docker push` reports for each. */
export async function pushTags(builder: Dockerd, image: CatalogImage, mirror: string, step: Step): Promise<Record<string, string>> {
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
export function localRef(image: CatalogImage): string {
  return `${image.name}:${image.tags[0]}`;
}

export async function docker(builder: Dockerd, args: string[], step: Step) {
  const result = await builder.docker(args, step);
  if (result.code !== 0) throw new CommandError('docker', args, result);
  return result;
}

/**
 * The builder daemon starts on the first image that needs building, so a run where the mirror already
 * serves everything finishes in about a second. Stopping it also drops superseded (dangling) images.
 */
export function lazyBuilder(stateDir: string, mirror: string, emit: (event: { type: 'builder'; state: BuilderState }) => void) {
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
