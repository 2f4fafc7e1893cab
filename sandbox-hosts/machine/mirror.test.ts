// The Docker Hub mirror is pull-only for learners, and the image pipeline trusts only what it pinned: a
// learner's push, delete and upload are refused; an image replaced in the storage, a repository or tag the
// pipeline never pushed and a blob whose content changed are all removed and published again.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImages, type BuildEvent, type BuildReport } from '../images/build.ts';
import type { Pins } from '../images/pins.ts';
import { BUILD_HASH_LABEL, readServedTag } from '../images/registry-api.ts';
import { removeTree } from '../system/shell.ts';
import { createTestHost, learnerShell, sandboxHosts, testConfig } from '../test-support/test-machine.ts';
import type { SandboxHostRecord } from '../sandbox/sandbox-host.ts';
import { bridgeSubnet } from './config.ts';
import { mirrorFiles, publishLabImages, startMirror, type Mirror, type PublishEvent } from './mirror.ts';
import { freePort, startRegistry, type Registry } from './registry.ts';

const MINUTE = 60_000;
const REFUSED = { status: 405, allow: 'GET, HEAD' };

describe("a learner and the machine's mirror", () => {
  const mirror = `${bridgeSubnet(testConfig).gateway}:${testConfig.DOCA_MIRROR_PORT}`;
  let host: SandboxHostRecord;
  let tmp: string;
  let writer: Registry | undefined;
  beforeAll(async () => {
    tmp = await mkdtemp('/tmp/doca-mirror-learner-');
    host = await createTestHost();
    await learnerShell(host, 'docker pull -q busybox >/dev/null');
  });
  afterAll(async () => {
    await writer?.stop();
    if (host) await sandboxHosts.destroy(host.id);
    if (tmp) await removeTree(tmp);
  });

  it('learner cannot docker push into the mirror, under a new name or over a lab image', async () => {
    const push = (name: string) => `docker tag busybox ${mirror}/library/${name} && docker push ${mirror}/library/${name} 2>&1; echo "exit=$?"`;
    const result = await learnerShell(host, `${push('doca-pushed-by-learner')}; ${push('postgres:latest')}`);
    expect(result.stdout.match(/^exit=1$/gm)).toHaveLength(2);
    // The read-only registry answers 405 with a plain-text body, which is what the Docker CLI shows.
    expect(result.stdout.match(/error parsing HTTP 405 response body: .*"Method not allowed\\n"/g)).toHaveLength(2);
    const catalog = (await (await fetch(`http://${mirror}/v2/_catalog`)).json()) as { repositories: string[] };
    expect(catalog.repositories).toContain('library/postgres');
    expect(catalog.repositories).not.toContain('library/doca-pushed-by-learner');
  });

  it('learner cannot delete a manifest, upload a blob or put a manifest; pulls still work', async () => {
    const served = await readServedTag(mirror, 'library/busybox', 'latest');
    expect(served).toBeDefined();
    const base = `http://${mirror}/v2/library/busybox`;
    const result = await learnerShell(
      host,
      [
        `curl -s -o /dev/null -w '%{http_code}\\n' -X DELETE ${base}/manifests/${served!.digest}`,
        `curl -s -o /dev/null -w '%{http_code}\\n' -X POST ${base}/blobs/uploads/`,
        `curl -s -o /dev/null -w '%{http_code}\\n' -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' --data-binary '{}' ${base}/manifests/latest`,
        `curl -s -o /dev/null -w '%{http_code}\\n' -X DELETE ${base}/blobs/${served!.blobs[1].digest}`,
        'docker rmi -f busybox >/dev/null && docker pull busybox >/dev/null && docker run --rm busybox echo pulled',
      ].join('; '),
    );
    expect(result.stdout.split('\n')).toEqual(['405', '405', '405', '405', 'pulled', '']);
    expect((await readServedTag(mirror, 'library/busybox', 'latest'))?.digest).toBe(served!.digest);
  });

  it("learner cannot reach the pipeline's writable registry on the machine's loopback", async () => {
    writer = await startRegistry({ storage: join(tmp, 'storage'), address: '127.0.0.1:0', readOnly: false, configFile: join(tmp, 'writer.yml') });
    const port = writer.address.split(':')[1];
    expect((await fetch(`http://${writer.address}/v2/`)).status).toBe(200);
    const result = await learnerShell(
      host,
      [
        `curl -s -m 3 http://127.0.0.1:${port}/v2/; echo "loopback=$?"`,
        `curl -s -m 3 http://${bridgeSubnet(testConfig).gateway}:${port}/v2/; echo "bridge=$?"`,
        // Inside the learner's daemon, rootlesskit's 10.0.2.2 would be the machine's loopback if it were allowed.
        `docker run --rm busybox wget -q -T 3 -O- http://10.0.2.2:${port}/v2/ 2>&1; echo "container=$?"`,
        `docker tag busybox 127.0.0.1:${port}/library/busybox && docker push 127.0.0.1:${port}/library/busybox 2>&1; echo "push=$?"`,
      ].join('; '),
    );
    expect(result.stdout).not.toContain('{}');
    for (const attempt of ['loopback', 'bridge', 'container', 'push']) expect(result.stdout).toMatch(new RegExp(`^${attempt}=[1-9]\\d*$`, 'm'));
  });
});

describe('the pipeline and a mirror storage holding what it did not push', () => {
  // A storage, state, image cache and bridge port of its own: the machine's shared mirror is never touched.
  let tmp: string;
  let config: typeof testConfig;
  let files: ReturnType<typeof mirrorFiles>;
  let mirror: Mirror;
  let first: BuildReport;
  const publish = (events: PublishEvent[] = [], stateDir = config.DOCA_STATE_DIR) =>
    publishLabImages({ ...config, DOCA_STATE_DIR: stateDir }, {
      imageStateDir: join(tmp, 'images'),
      only: ['busybox', 'hello-world'],
      onProgress: (event) => events.push(event),
    });
  const served = (name: string, tag = 'latest') => readServedTag(mirror.address, `library/${name}`, tag);
  const pinned = (name: string) => (JSON.parse(readFileSync(files.pins, 'utf8')) as Pins).images[name].tags;

  beforeAll(async () => {
    tmp = await mkdtemp('/tmp/doca-mirror-pins-');
    const gateway = bridgeSubnet(testConfig).gateway;
    config = { ...testConfig, DOCA_STATE_DIR: join(tmp, 'state'), DOCA_MIRROR_DIR: join(tmp, 'storage'), DOCA_MIRROR_PORT: await freePort(gateway) };
    files = mirrorFiles(config);
    mirror = await startMirror(config);
    first = await publish();
  }, 10 * MINUTE);
  afterAll(async () => {
    await mirror?.stop();
    if (tmp) await removeTree(tmp);
  });

  it('pins the digest of every tag it pushed in a root-only file, and keeps the storage root-only', async () => {
    expect(first.images.map((image) => [image.name, image.status])).toEqual([
      ['busybox', 'built'],
      ['hello-world', 'built'],
    ]);
    expect(statSync(files.storage)).toMatchObject({ uid: 0, gid: 0, mode: 0o40700 });
    expect(statSync(files.pins)).toMatchObject({ uid: 0, mode: 0o100600 });
    for (const image of first.images) {
      expect(pinned(image.name)).toEqual(image.digests);
      for (const tag of image.tags) expect((await served(image.name, tag))?.digest).toBe(image.digests[tag]);
    }
  });

  it('serves GET and HEAD, and refuses a push, a delete and an upload with 405', async () => {
    const digest = first.images[0].digest;
    const base = `http://${mirror.address}/v2/library/busybox`;
    const manifest = await fetch(`${base}/manifests/latest`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(digest);
    const layer = (await served('busybox'))!.blobs[1];
    const blob = Buffer.from(await (await fetch(`${base}/blobs/${layer.digest}`)).arrayBuffer());
    expect(sha256(blob)).toBe(layer.digest);
    expect((await fetch(`${base}/blobs/${layer.digest}`, { method: 'HEAD' })).status).toBe(200);

    const refusals = [
      fetch(`${base}/blobs/uploads/`, { method: 'POST' }),
      fetch(`${base}/manifests/latest`, { method: 'PUT', body: await manifest.arrayBuffer() }),
      fetch(`${base}/manifests/${digest}`, { method: 'DELETE' }),
      fetch(`${base}/blobs/${layer.digest}`, { method: 'DELETE' }),
    ];
    for (const response of await Promise.all(refusals)) expect({ status: response.status, allow: response.headers.get('allow') }).toEqual(REFUSED);
    expect((await served('busybox'))?.digest).toBe(digest);
  });

  it('replaces an image pushed over a lab image with a forged build label, and removes repositories and tags it never pushed', async () => {
    // What someone who reached a writable registry over the storage would do.
    const attacker = await startRegistry({ storage: files.storage, address: '127.0.0.1:0', readOnly: false, configFile: join(tmp, 'attacker.yml') });
    let forged: string;
    try {
      forged = await copyImage(attacker.address, 'library/hello-world:latest', 'library/busybox:latest', first.images[0].buildHash);
      await copyImage(attacker.address, 'library/hello-world:latest', 'library/busybox:evil');
      await copyImage(attacker.address, 'library/hello-world:latest', 'library/evil:latest');
      await copyImage(attacker.address, 'library/hello-world:latest', 'library/busybox/evil:latest');
      await copyImage(attacker.address, 'library/hello-world:latest', 'evil/hello-world:latest');
      // An upload left unfinished: data on the machine's disk that no manifest names.
      const upload = await fetch(`http://${attacker.address}/v2/library/busybox/blobs/uploads/`, { method: 'POST' });
      const patched = await fetch(new URL(upload.headers.get('location')!, `http://${attacker.address}`), {
        method: 'PATCH',
        headers: { 'content-type': 'application/octet-stream' },
        body: 'x'.repeat(100_000),
      });
      expect(patched.status).toBe(202);
    } finally {
      await attacker.stop();
    }
    expect((await served('busybox'))?.digest).toBe(forged);
    expect(await buildLabel(mirror.address, 'library/busybox:latest')).toBe(first.images[0].buildHash);

    const events: PublishEvent[] = [];
    const second = await publish(events);
    const busybox = first.images[0].digests.latest;
    expect(events.find((event) => event.type === 'mirror-cleaned')).toEqual({
      type: 'mirror-cleaned',
      removed: expect.arrayContaining([
        'evil/…: not a lab image',
        'library/evil: not pinned',
        'library/busybox/evil: not a lab image',
        'library/busybox: unfinished uploads',
        'library/busybox:evil: not pinned',
        `library/busybox:latest: points to ${forged}, pinned ${busybox}`,
      ]),
    });
    expect(second.images.map((image) => [image.name, image.status])).toEqual([
      ['busybox', 'restored'],
      ['hello-world', 'cached'],
    ]);
    expect((await served('busybox'))?.digest).toBe(pinned('busybox').latest);
    expect(await served('busybox', 'evil')).toBeUndefined();
    expect(await served('evil')).toBeUndefined();
    const catalog = (await (await fetch(`http://${mirror.address}/v2/_catalog`)).json()) as { repositories: string[] };
    expect(catalog.repositories).toEqual(['library/busybox', 'library/hello-world']);
  }, 5 * MINUTE);

  it('the pipeline alone, without the storage audit, pushes a pinned tag again when it serves another digest', async () => {
    const attacker = await startRegistry({ storage: files.storage, address: '127.0.0.1:0', readOnly: false, configFile: join(tmp, 'attacker.yml') });
    try {
      const forged = await copyImage(attacker.address, 'library/hello-world:latest', 'library/busybox:latest', first.images[0].buildHash);
      const events: BuildEvent[] = [];
      const report = await buildImages({
        mirror: attacker.address,
        pins: files.pins,
        stateDir: join(tmp, 'images'),
        only: ['busybox'],
        onProgress: (event) => events.push(event),
      });
      expect(events).toContainEqual({ type: 'image-untrusted', image: 'busybox', reason: `library/busybox:latest is ${forged}, pinned ${pinned('busybox').latest}` });
      expect(report.images.map((image) => [image.name, image.status])).toEqual([['busybox', 'restored']]);
      expect((await served('busybox'))?.digest).toBe(pinned('busybox').latest);
    } finally {
      await attacker.stop();
    }
  }, 5 * MINUTE);

  it('removes a blob whose content no longer matches its digest, and pushes it again', async () => {
    const layer = (await served('hello-world'))!.blobs[1].digest;
    const hex = layer.slice('sha256:'.length);
    await writeFile(join(files.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'), 'not the layer');

    const events: PublishEvent[] = [];
    const third = await publish(events);
    expect(events.find((event) => event.type === 'mirror-cleaned')).toEqual({
      type: 'mirror-cleaned',
      removed: expect.arrayContaining([expect.stringMatching(new RegExp(`^blob ${layer}: its content hashes to sha256:`))]),
    });
    expect(third.images.find((image) => image.name === 'hello-world')?.status).toBe('restored');
    const blob = Buffer.from(await (await fetch(`http://${mirror.address}/v2/library/hello-world/blobs/${layer}`)).arrayBuffer());
    expect(sha256(blob)).toBe(layer);
  }, 5 * MINUTE);

  it('lets one configuration publish at a time: a second one waits, then finds everything pinned', async () => {
    const waits: PublishEvent[][] = [[], []];
    const [a, b] = await Promise.all([publish(waits[0], join(tmp, 'state-a')), publish(waits[1], join(tmp, 'state-b'))]);
    expect(waits.flat().filter((event) => event.type === 'waiting')).toEqual([
      { type: 'waiting', reason: `another configuration of this machine is publishing to ${files.storage}` },
    ]);
    for (const report of [a, b]) expect(report.images.map((image) => image.status)).toEqual(['cached', 'cached']);
  }, 5 * MINUTE);
});

const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
type Manifest = { config: { digest: string; size: number }; layers: { digest: string }[] };
type ImageConfig = { config: { Labels?: Record<string, string> | null } };

/**
 * Pushes the image `from` as `to` through the registry API, mounting its layers from the source repository;
 * with `forgedBuildHash`, under a config whose build label claims that hash. Returns the manifest digest.
 */
async function copyImage(registry: string, from: string, to: string, forgedBuildHash?: string): Promise<string> {
  const [fromRepository, fromTag] = from.split(':');
  const [toRepository, toTag] = to.split(':');
  const manifest = (await (await fetch(`http://${registry}/v2/${fromRepository}/manifests/${fromTag}`, { headers: { accept: MANIFEST_TYPE } })).json()) as Manifest;
  const blobs = forgedBuildHash ? manifest.layers : [manifest.config, ...manifest.layers];
  for (const blob of blobs) {
    const mounted = await fetch(`http://${registry}/v2/${toRepository}/blobs/uploads/?mount=${blob.digest}&from=${fromRepository}`, { method: 'POST' });
    expect(mounted.status).toBe(201);
  }
  if (forgedBuildHash) {
    const config = (await (await fetch(`http://${registry}/v2/${fromRepository}/blobs/${manifest.config.digest}`)).json()) as ImageConfig;
    config.config.Labels = { ...config.config.Labels, [BUILD_HASH_LABEL]: forgedBuildHash };
    const bytes = Buffer.from(JSON.stringify(config));
    manifest.config = { ...manifest.config, digest: sha256(bytes), size: bytes.length };
    const upload = await fetch(`http://${registry}/v2/${toRepository}/blobs/uploads/`, { method: 'POST' });
    const location = new URL(upload.headers.get('location')!, `http://${registry}`);
    location.searchParams.set('digest', manifest.config.digest);
    const put = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    expect(put.status).toBe(201);
  }
  const bytes = Buffer.from(JSON.stringify(manifest));
  const put = await fetch(`http://${registry}/v2/${toRepository}/manifests/${toTag}`, { method: 'PUT', headers: { 'content-type': MANIFEST_TYPE }, body: bytes });
  expect(put.status).toBe(201);
  return sha256(bytes);
}

/** The build label in the config of the image a registry serves as `reference`. */
async function buildLabel(registry: string, reference: string): Promise<string | undefined> {
  const [repository, tag] = reference.split(':');
  const manifest = (await (await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, { headers: { accept: MANIFEST_TYPE } })).json()) as Manifest;
  const config = (await (await fetch(`http://${registry}/v2/${repository}/blobs/${manifest.config.digest}`)).json()) as ImageConfig;
  return config.config.Labels?.[BUILD_HASH_LABEL];
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
