import { chmod, mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageBuild } from './catalog.ts';
import { buildHash, dockerfileBases, hashDirectory } from './context.ts';
import { removeTree } from '../system/shell.ts';

describe('dockerfileBases', () => {
  it('finds the images a Dockerfile is built FROM, with latest as the default tag', () => {
    expect(dockerfileBases('FROM debian:bookworm\nRUN true\n')).toEqual([{ name: 'debian', tag: 'bookworm' }]);
    expect(dockerfileBases('from --platform=linux/amd64 nginx\n')).toEqual([{ name: 'nginx', tag: 'latest' }]);
  });

  it('leaves out scratch and earlier stages of the same file', () => {
    const dockerfile = 'FROM debian:12 AS build\nRUN make\nFROM scratch\nCOPY --from=build /out /\nFROM build\n';
    expect(dockerfileBases(dockerfile)).toEqual([{ name: 'debian', tag: '12' }]);
  });
});

describe('hashDirectory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doca-context-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
    await writeFile(join(dir, 'sub', 'entrypoint.sh'), 'exec "$@"\n');
  });
  afterAll(() => removeTree(dir));

  it('ignores timestamps but sees contents and executable bits', async () => {
    const before = await hashDirectory(dir);
    await utimes(join(dir, 'Dockerfile'), new Date(0), new Date(0));
    expect(await hashDirectory(dir)).toBe(before);

    await chmod(join(dir, 'sub', 'entrypoint.sh'), 0o755);
    const executable = await hashDirectory(dir);
    expect(executable).not.toBe(before);

    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCMD ["sh"]\n');
    expect(await hashDirectory(dir)).not.toBe(executable);
  });
});

describe('buildHash', () => {
  it('changes when an image it is built FROM changes', () => {
    const build: ImageBuild = { kind: 'dockerfile', hostFiles: [], staticC: [] };
    expect(buildHash(build, 'context', ['base-1'])).toBe(buildHash(build, 'context', ['base-1']));
    expect(buildHash(build, 'context', ['base-1'])).not.toBe(buildHash(build, 'context', ['base-2']));
  });
});
