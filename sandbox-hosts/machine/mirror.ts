// The Docker Hub mirror: `library/<name>` images in one storage folder, served read-only on the bridge
// address to every sandbox daemon, and written only by the image pipeline, through a registry of its own
// on the machine's loopback that runs just while it publishes.
import { chmod, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildImages, type BuildEvent, type BuildReport } from '../images/build.ts';
import { readPins } from '../images/pins.ts';
import { lockFile } from '../system/file-lock.ts';
import { bridgeSubnet, mirrorDir, type HostMachineConfig } from './config.ts';
import { auditMirrorStorage } from './mirror-audit.ts';
import { collectGarbage, startRegistry } from './registry.ts';

type MirrorConfig = Pick<
  HostMachineConfig,
  'DOCA_STATE_DIR' | 'DOCA_MIRROR_DIR' | 'DOCA_BRIDGE_ADDRESS' | 'DOCA_MIRROR_PORT' | 'DOCA_MIRROR_PUSH_PORT'
>;

export interface Mirror {
  /** host:port, as sandbox daemons address it. */
  address: string;
  stop(): Promise<void>;
}

/** What publishing reports besides the pipeline's own events: the storage held things the pins do not name, now removed. */
export type MirrorEvent = { type: 'mirror-cleaned'; removed: string[] };

export type PublishEvent = BuildEvent | MirrorEvent;

export interface PublishOptions {
  /** Where lab images are built and cached. */
  imageStateDir: string;
  onProgress?: (event: PublishEvent) => void;
  signal?: AbortSignal;
  /** Catalog names to publish (with the images they are built FROM). Default: the whole catalog. */
  only?: string[];
}

/**
 * Where the mirror keeps its images, the pins (what the pipeline pushed) and the lock that lets one
 * configuration at a time publish. Several configurations of one machine (the platform, test runs, the
 * browser tests' agents) share one storage folder, so all three live in it.
 */
export function mirrorFiles(config: Pick<HostMachineConfig, 'DOCA_STATE_DIR' | 'DOCA_MIRROR_DIR'>) {
  const storage = mirrorDir(config);
  return { storage, pins: join(storage, 'pins.json'), lock: join(storage, 'publish.lock') };
}

/** The read-only registry sandboxes pull from: GET and HEAD only, on the bridge address. */
export async function startMirror(config: MirrorConfig): Promise<Mirror> {
  const { storage } = await prepareStorage(config);
  await mkdir(config.DOCA_STATE_DIR, { recursive: true });
  const registry = await startRegistry({
    storage,
    address: `${bridgeSubnet(config).gateway}:${config.DOCA_MIRROR_PORT}`,
    readOnly: true,
    configFile: join(config.DOCA_STATE_DIR, 'mirror.yml'),
  });
  return { address: registry.address, stop: registry.stop };
}

/**
 * Brings the mirror to the catalog: under the storage's lock, removes what the pins do not name, starts a
 * writable registry on 127.0.0.1 (no sandbox can reach the machine's loopback), runs the image pipeline
 * through it, stops it, and collects the garbage when anything changed.
 */
export async function publishLabImages(config: MirrorConfig, options: PublishOptions): Promise<BuildReport> {
  const files = await prepareStorage(config);
  const emit = options.onProgress ?? (() => {});
  const lock = await lockFile(files.lock, {
    signal: options.signal,
    onWait: () => emit({ type: 'waiting', reason: `another configuration of this machine is publishing to ${files.storage}` }),
  });
  try {
    const audit = await auditMirrorStorage(files.storage, await readPins(files.pins));
    if (audit.removed.length > 0) emit({ type: 'mirror-cleaned', removed: audit.removed });
    await mkdir(config.DOCA_STATE_DIR, { recursive: true });
    const writer = await startRegistry({
      storage: files.storage,
      address: `127.0.0.1:${config.DOCA_MIRROR_PUSH_PORT}`,
      readOnly: false,
      configFile: join(config.DOCA_STATE_DIR, 'mirror-push.yml'),
    });
    let report: BuildReport;
    try {
      report = await buildImages({
        mirror: writer.address,
        pins: files.pins,
        stateDir: options.imageStateDir,
        only: options.only,
        onProgress: emit,
        signal: options.signal,
      });
    } finally {
      await writer.stop();
    }
    if (audit.removed.length > 0 || report.images.some((image) => image.status !== 'cached')) {
      await collectGarbage(writer.configFile);
    }
    return report;
  } finally {
    await lock.release();
  }
}

/** The storage folder, root's alone: sandboxes never see the machine's files, and this stays so if they did. */
async function prepareStorage(config: Pick<HostMachineConfig, 'DOCA_STATE_DIR' | 'DOCA_MIRROR_DIR'>) {
  const files = mirrorFiles(config);
  await mkdir(files.storage, { recursive: true, mode: 0o700 });
  await chown(files.storage, 0, 0);
  await chmod(files.storage, 0o700);
  return files;
}
