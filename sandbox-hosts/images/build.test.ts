// End to end on this host, with no Docker fakes: the real pipeline builds every image into a throwaway registry,
// then a separate test daemon that uses that registry as its Docker Hub mirror pulls and runs each one by its
// plain name, as a learner's daemon does; an image replaced in the registry is pushed again at the next run.
// Needs root, the pipeline's Debian packages, postgresql-client and the Debian mirror; the cold build takes a
// few minutes.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImages, ImageBuildError, type BuildEvent, type BuildReport } from './build.ts';
import { catalog } from './catalog.ts';
import type { Pins } from './pins.ts';
import { startDockerd, type Dockerd } from './dockerd.ts';
import { formatResult, formatSummary } from './progress.ts';
import { freePort, startRegistry as startRegistryOn, type Registry } from '../machine/registry.ts';
import { removeTree, run, type RunResult } from '../system/shell.ts';

const MINUTE = 60_000;

let tmp: string;
let stateDir: string;
let mirror: string;
let consumer: Dockerd;
let report: BuildReport;
const registries: Registry[] = [];

beforeAll(async () => {
  tmp = await mkdtemp('/tmp/doca-images-test-');
  stateDir = join(tmp, 'state');
  mirror = await startRegistry('mirror');
  consumer = await startDockerd(join(tmp, 'consumer'), [`--registry-mirror=http://${mirror}`, `--insecure-registry=${mirror}`]);
}, 2 * MINUTE);

afterAll(async () => {
  await consumer?.stop();
  for (const registry of registries) await registry.stop();
  if (tmp) await removeTree(tmp);
}, 2 * MINUTE);

describe('the lab-image pipeline', () => {
  it('builds every image and pushes every tag on a cold run', async () => {
    const events: BuildEvent[] = [];
    report = await buildImages({ mirror, stateDir, pins: pinsOf(mirror), onProgress: (event) => events.push(event) });
    console.log(['Cold build:', ...report.images.map((image) => `${image.name.padEnd(12)} ${formatResult(image)}`), formatSummary(report)].join('\n'));

    expect(report.images.map((image) => [image.name, image.status])).toEqual(catalog.map((image) => [image.name, 'built']));
    expect(events.filter((event) => event.type === 'image-done')).toHaveLength(catalog.length);
    expect(builderIsRunning()).toBe(false);

    const pins = JSON.parse(readFileSync(pinsOf(mirror), 'utf8')) as Pins;
    expect(statSync(pinsOf(mirror)).mode & 0o777).toBe(0o600);
    for (const image of report.images) {
      expect(pins.images[image.name]).toEqual({ buildHash: image.buildHash, tags: image.digests });
      expect(Object.keys(image.digests).sort()).toEqual([...image.tags].sort());
    }
  }, 20 * MINUTE);

  it('lets a daemon with the mirror pull every image and tag by its plain name', async () => {
    for (const image of catalog) {
      for (const tag of image.tags) {
        const pulled = await consumer.docker(['pull', `${image.name}:${tag}`]);
        expect(pulled.code, `docker pull ${image.name}:${tag}\n${pulled.stderr}`).toBe(0);
      }
    }
  }, 10 * MINUTE);

  it('hello-world explains what happened in Portuguese and English', async () => {
    const hello = await docker(['run', '--rm', 'hello-world']);
    const [firstLine] = hello.stdout.split('\n');
    expect(firstLine).toContain('Olá do Docker!');
    expect(firstLine).toContain('Hello from Docker!');
    expect(hello.stdout).toContain('O cliente Docker (o comando docker) contatou o daemon Docker');
    expect(hello.stdout).toContain('The Docker daemon streamed that output to the Docker client');
  });

  it('busybox runs a command', async () => {
    expect((await docker(['run', '--rm', 'busybox', 'echo', 'ok'])).stdout).toBe('ok\n');
  });

  it('debian is a trimmed bookworm with apt that starts bash', async () => {
    const script = 'cat /etc/debian_version; ls -A /var/lib/apt/lists; find /usr/share/doc -type f ! -name copyright | wc -l; command -v apt-get';
    const [version, lists, docs, aptGet] = (await docker(['run', '--rm', 'debian', 'bash', '-c', script])).stdout.trim().split('\n');
    expect(version).toMatch(/^12\.\d+$/);
    expect([lists, docs, aptGet]).toEqual(['partial', '0', '/usr/bin/apt-get']);
    expect((await docker(['image', 'inspect', '--format', '{{json .Config.Cmd}}', 'debian'])).stdout.trim()).toBe('["bash"]');
  });

  it('postgres refuses to start without a password, with the official message', async () => {
    const refused = await consumer.docker(['run', '--rm', 'postgres']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Error: Database is uninitialized and superuser password is not specified.');
    expect(refused.stderr).toContain('You must specify POSTGRES_PASSWORD to a non-empty value for the');
  });

  it('postgres with POSTGRES_PASSWORD accepts psql from the host, with that password only', async () => {
    const port = await freePort();
    const name = 'doca-test-postgres';
    await docker([
      'run', '-d', '--rm', '--name', name, '--network', 'host',
      '-e', 'POSTGRES_PASSWORD=segredo', '-e', 'POSTGRES_DB=aula',
      // The host reaches the server over 127.0.0.1, which initdb trusts by default: require the password there too.
      '-e', 'POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256',
      'postgres', '-c', `port=${port}`,
    ]);
    try {
      const psql = (password: string, sql: string) =>
        run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'aula', '-tAc', sql], {
          env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '3' },
        });
      const answer = await eventually(async () => {
        const result = await psql('segredo', "SELECT current_database() || ' ' || pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()");
        return result.code === 0 ? result.stdout.trim() : undefined;
      }, 90_000);
      expect(answer).toBe('aula UTF8');
      const wrong = await psql('errada', 'SELECT 1');
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain('password authentication failed');
    } finally {
      await consumer.docker(['rm', '-f', name]);
    }
  }, 3 * MINUTE);

  it('nginx serves its default page and logs the request to the container output', async () => {
    const name = 'doca-test-nginx';
    await docker(['run', '-d', '--rm', '--name', name, 'nginx']);
    try {
      // The test daemon has no bridge to publish ports on: ask from inside the container, with bash's /dev/tcp.
      const request = 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" >&3; cat <&3';
      const page = await eventually(async () => {
        const result = await consumer.docker(['exec', name, 'bash', '-c', request]);
        return result.code === 0 && result.stdout ? result.stdout : undefined;
      }, 30_000);
      expect(page).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(page).toContain('<title>Welcome to nginx!</title>');
      expect((await docker(['logs', name])).stdout).toContain('"GET / HTTP/1.0" 200');
    } finally {
      await consumer.docker(['rm', '-f', name]);
    }
  }, 2 * MINUTE);

  it('redis answers PING from outside the container', async () => {
    const port = await freePort();
    const name = 'doca-test-redis';
    await docker(['run', '-d', '--rm', '--name', name, '--network', 'host', 'redis', '--port', String(port)]);
    try {
      expect(await eventually(() => redisPing(port), 30_000)).toBe('+PONG');
    } finally {
      await consumer.docker(['rm', '-f', name]);
    }
  }, 2 * MINUTE);

  it('the registry image accepts a push of a small image and serves it back', async () => {
    const port = await freePort();
    const name = 'doca-test-registry';
    const image = `127.0.0.1:${port}/minhaimagem:1.0`;
    await docker(['run', '-d', '--rm', '--name', name, '--network', 'host', '-e', `REGISTRY_HTTP_ADDR=127.0.0.1:${port}`, 'registry']);
    try {
      await eventually(() => fetch(`http://127.0.0.1:${port}/v2/`).then((response) => response.ok || undefined, () => undefined), 30_000);
      await docker(['tag', 'busybox', image]);
      await docker(['push', image]);
      await docker(['rmi', image]);
      await docker(['pull', image]);
      expect((await docker(['run', '--rm', image, 'echo', 'de volta'])).stdout).toBe('de volta\n');
    } finally {
      await consumer.docker(['rm', '-f', name]);
    }
  }, 3 * MINUTE);

  it('openjdk runs java 17 and opens jshell by default', async () => {
    expect((await docker(['run', '--rm', 'openjdk', 'java', '-version'])).stderr).toMatch(/openjdk version "17\./);
    const jshell = await docker(['run', '-i', '--rm', 'openjdk'], 'System.out.println("soma " + (1 + 1))\n/exit\n');
    expect(jshell.stdout).toContain('soma 2');
  }, 3 * MINUTE);

  it('finishes a second run quickly, every image cached', async () => {
    const started = performance.now();
    const warm = await buildImages({ mirror, stateDir, pins: pinsOf(mirror) });
    console.log(`Warm build: ${((performance.now() - started) / 1000).toFixed(2)} s\n${formatSummary(warm)}`);
    expect(warm.images.map((image) => [image.name, image.status])).toEqual(catalog.map((image) => [image.name, 'cached']));
    expect(warm.images.map((image) => image.digest)).toEqual(report.images.map((image) => image.digest));
  }, 2 * MINUTE);

  it('pushes a tag again from the builder when the mirror serves another image under it', async () => {
    // What an attacker with write access to the registry would do: replace busybox:latest with another image.
    await docker(['tag', 'hello-world', `${mirror}/library/busybox:latest`]);
    await docker(['push', `${mirror}/library/busybox:latest`]);
    const events: BuildEvent[] = [];
    const rerun = await buildImages({ mirror, stateDir, pins: pinsOf(mirror), onProgress: (event) => events.push(event) });

    const busybox = report.images.find((image) => image.name === 'busybox')!;
    const untrusted = events.find((event) => event.type === 'image-untrusted');
    expect(untrusted).toMatchObject({ image: 'busybox', reason: expect.stringContaining(`pinned ${busybox.digests.latest}`) });
    expect(rerun.images.map((image) => [image.name, image.status])).toEqual(
      catalog.map((image) => [image.name, image.name === 'busybox' ? 'restored' : 'cached']),
    );
    const restored = rerun.images.find((image) => image.name === 'busybox')!;
    expect(restored.buildHash).toBe(busybox.buildHash);
    expect(restored.digests).toEqual(busybox.digests);
    await docker(['rmi', 'busybox']);
    expect((await docker(['run', '--rm', 'busybox', 'echo', 'ok'])).stdout).toBe('ok\n');
  }, 5 * MINUTE);

  it('names the failing image with the end of its log, and still stops the builder', async () => {
    const readOnly = await startRegistry('read-only', { readOnly: true });
    const failure = await buildImages({ mirror: readOnly, stateDir, pins: pinsOf(readOnly), only: ['hello-world'] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImageBuildError);
    const error = failure as ImageBuildError;
    expect(error.image).toBe('hello-world');
    expect(error.message).toContain('Building the hello-world image failed');
    expect(error.logTail).toContain(`push ${readOnly}/library/hello-world:latest`);
    expect(error.message).toContain(error.logTail);
    expect(builderIsRunning()).toBe(false);
    expect(existsSync(join(stateDir, 'build.lock'))).toBe(false);
  }, 5 * MINUTE);

  it('stops cleanly when aborted mid-build, and the next run completes', async () => {
    const empty = await startRegistry('empty');
    // A state folder of its own: the builder must really build, not find the image from an earlier test.
    const abortStateDir = join(tmp, 'state-abort');
    const controller = new AbortController();
    const onProgress = (event: BuildEvent) => {
      if (event.type === 'image-step') controller.abort(new Error('test abort'));
    };
    const aborted = await buildImages({ mirror: empty, stateDir: abortStateDir, pins: pinsOf(empty), only: ['busybox'], onProgress, signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    expect((aborted as Error).message).toBe('test abort');
    expect(builderIsRunning(abortStateDir)).toBe(false);

    const rerun = await buildImages({ mirror: empty, stateDir: abortStateDir, pins: pinsOf(empty), only: ['busybox'] });
    expect(rerun.images.map((image) => [image.name, image.status])).toEqual([['busybox', 'built']]);
  }, 5 * MINUTE);
});

/** Runs the docker CLI against the test daemon and fails the test, with its output, when the command fails. */
async function docker(args: string[], input?: string): Promise<RunResult> {
  const result = await consumer.docker(args, { input });
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The pins of one test registry. */
function pinsOf(registry: string): string {
  return join(tmp, `pins-${registry.replace(':', '-')}.json`);
}

/** True while a dockerd runs on a test state directory's builder data root. */
function builderIsRunning(dir = stateDir): boolean {
  const dataRoot = `--data-root=${join(dir, 'builder', 'data')}\0`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataRoot);
      } catch {
        return false; // the process ended while we looked
      }
    });
}

/** Starts Debian's registry on a free loopback port with its own storage, and returns host:port. */
async function startRegistry(name: string, options: { readOnly?: boolean } = {}): Promise<string> {
  const dir = join(tmp, `registry-${name}`);
  const registry = await startRegistryOn({ storage: dir, address: '127.0.0.1:0', readOnly: options.readOnly ?? false, configFile: `${dir}.yml` });
  registries.push(registry);
  return registry.address;
}

/** Sends PING over RESP and returns the first reply line, or undefined when nothing listens yet. */
function redisPing(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(reply ? reply.split('\r\n')[0] : undefined));
  });
}

/** Polls until `attempt` returns a value, or fails after `timeoutMs`. */
async function eventually<T>(attempt: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await attempt();
    if (value !== undefined) return value;
    await sleep(500);
  }
  throw new Error(`gave up after ${timeoutMs / 1000} s`);
}
