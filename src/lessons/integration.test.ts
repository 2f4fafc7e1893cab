// Runs the real `astro build` on a copy of the site with broken lessons: the build must stop,
// naming each file, field and fix in one readable message.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const astroBin = join(projectRoot, 'node_modules/astro/bin/astro.mjs');
// Inside the project so the copy resolves the project's node_modules.
const copyRoot = join(projectRoot, '.test-tmp', `lesson-checks-${process.pid}`);

function build(): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [astroBin, 'build'], {
    cwd: copyRoot,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ASTRO_TELEMETRY_DISABLED: '1' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('astro build with broken lessons', () => {
  let result: ReturnType<typeof build>;

  beforeAll(() => {
    mkdirSync(copyRoot, { recursive: true });
    for (const entry of ['src', 'astro.config.mjs', 'package.json', 'tsconfig.json']) {
      cpSync(join(projectRoot, entry), join(copyRoot, entry), { recursive: true });
    }
    const docs = join(copyRoot, 'src/content/docs');
    const host = join(docs, 'en/arquitetura/host.mdx');
    writeFileSync(host, readFileSync(host, 'utf8').replace(/^description: .*\n/m, ''));
    unlinkSync(join(docs, 'en/arquitetura/daemon.mdx'));
    const client = join(docs, 'en/arquitetura/client.mdx');
    writeFileSync(client, readFileSync(client, 'utf8').replace('## More than one daemon\n', ''));
    result = build();
  });
  afterAll(() => rmSync(copyRoot, { recursive: true, force: true }));

  it('fails', () => {
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('3 lesson problems found');
  });

  it('names the file, the field and the fix for invalid frontmatter', () => {
    expect(result.output).toContain(
      'src/content/docs/en/arquitetura/host.mdx, description: is missing. Fix: add `description: "…"`',
    );
  });

  it('names a lesson whose twin is missing and where the twin belongs', () => {
    expect(result.output).toContain(
      'src/content/docs/arquitetura/daemon.mdx, twin: has no en twin at src/content/docs/en/arquitetura/daemon.mdx',
    );
  });

  it('names twins whose sections differ', () => {
    expect(result.output).toMatch(/src\/content\/docs\/en\/arquitetura\/client\.mdx, sections: has 1 section .* but its twin/);
  });

  it('prints no stack trace', () => {
    expect(result.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
