import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLessons, formatLessonProblems } from './check-lessons';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const roots: string[] = [];

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'doca-lessons-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    const file = join(root, 'docs', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return root;
}
afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

const page = (order: number, body: string) => `---\ntitle: T\ndescription: D\nsidebar:\n  order: ${order}\n---\n${body}`;
const check = (root: string) => checkLessons({ root, docsDir: 'docs', translatedLocales: ['en'] });

describe('checkLessons', () => {
  it('passes on the guide as it is', () => {
    expect(checkLessons({ root: projectRoot, docsDir: 'src/content/docs', translatedLocales: ['en'] })).toEqual([]);
  });

  it('passes twins with the same shape', () => {
    const body = '## A\n```sh\nls\n```\n';
    expect(check(project({ 'a/x.mdx': page(1, body), 'en/a/x.mdx': page(1, body) }))).toEqual([]);
  });

  it('names a lesson that exists only in Portuguese, and where its twin belongs', () => {
    const problems = check(project({ 'a/x.mdx': page(1, ''), 'a/y.mdx': page(2, ''), 'en/a/y.mdx': page(2, '') }));
    expect(problems).toEqual([
      { file: 'docs/a/x.mdx', field: 'twin', message: 'has no en twin at docs/en/a/x.mdx', fix: expect.stringContaining('translate') },
    ]);
  });

  it('names a lesson that exists only in English', () => {
    const problems = check(project({ 'en/only.md': page(1, '') }));
    expect(problems).toMatchObject([{ file: 'docs/en/only.md', field: 'twin', message: expect.stringContaining('docs/only.md') }]);
  });

  it('reports twins whose sections differ', () => {
    const problems = check(project({ 'x.mdx': page(1, '## A\n## B\n'), 'en/x.mdx': page(1, '## A\n') }));
    expect(problems).toMatchObject([
      { file: 'docs/en/x.mdx', field: 'sections', message: 'has 1 section (##) but its twin docs/x.mdx has 2 sections (## ##)' },
    ]);
  });

  it('reports twins whose sections sit at different levels', () => {
    const problems = check(project({ 'x.mdx': page(1, '## A\n### B\n'), 'en/x.mdx': page(1, '## A\n## B\n') }));
    expect(problems.map((p) => p.field)).toEqual(['sections']);
  });

  it('reports twins with a different number of code blocks', () => {
    const problems = check(project({ 'x.mdx': page(1, '```sh\nls\n```\n'), 'en/x.mdx': page(1, 'no code\n') }));
    expect(problems).toMatchObject([{ field: 'code blocks', message: 'has 0 code blocks but its twin docs/x.mdx has 1 code block' }]);
  });

  it('reports twins at different positions', () => {
    const problems = check(project({ 'x.mdx': page(1, ''), 'en/x.mdx': page(2, '') }));
    expect(problems).toMatchObject([{ file: 'docs/en/x.mdx', field: 'sidebar.order' }]);
  });

  it('reports invalid frontmatter in either locale', () => {
    const problems = check(project({ 'x.mdx': page(1, ''), 'en/x.mdx': '---\ntitle: T\nsidebar:\n  order: 1\n---\n' }));
    expect(problems).toMatchObject([{ file: 'docs/en/x.mdx', field: 'description', message: 'is missing' }]);
  });

  it('formats problems as one readable list', () => {
    const text = formatLessonProblems([{ file: 'docs/x.mdx', field: 'title', message: 'is missing', fix: 'add it' }]);
    expect(text).toBe('1 lesson problem found:\n- docs/x.mdx, title: is missing. Fix: add it.');
  });
});
