import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog, findImage } from './catalog.ts';
import { dockerfileBases } from './context.ts';

const folder = (name: string) => join(import.meta.dirname, name);

describe('the image catalog', () => {
  it('lists the images lessons use, each with a latest tag', () => {
    expect(catalog.map((image) => image.name)).toEqual(['debian', 'busybox', 'hello-world', 'nginx', 'postgres', 'redis', 'registry', 'openjdk']);
    for (const image of catalog) expect(image.tags).toContain('latest');
  });

  it('has a folder per image with what its build kind needs', () => {
    for (const image of catalog) {
      const needs = image.build.kind === 'debootstrap' ? ['trim.sh'] : ['Dockerfile', ...image.build.staticC];
      for (const file of needs) expect(existsSync(join(folder(image.name), file)), `${image.name}/${file}`).toBe(true);
    }
  });

  it('builds every image FROM a tag of an image listed before it, never from Docker Hub', async () => {
    for (const [index, image] of catalog.entries()) {
      if (image.build.kind !== 'dockerfile') continue;
      const bases = dockerfileBases(await readFile(join(folder(image.name), 'Dockerfile'), 'utf8'));
      for (const base of bases) {
        const position = catalog.findIndex((other) => other.name === base.name);
        expect(position, `${image.name} FROM ${base.name}`).toBeGreaterThanOrEqual(0);
        expect(position, `${image.name} FROM ${base.name}`).toBeLessThan(index);
        expect(findImage(base.name)?.tags, `${image.name} FROM ${base.name}:${base.tag}`).toContain(base.tag);
      }
    }
  });

  it('describes every image in both languages', () => {
    for (const image of catalog) {
      expect(image.description['pt-BR']).not.toBe(image.description.en);
    }
  });
});
