import { describe, expect, it } from 'vitest';
import { readLessonSource } from './lesson-source';

const lesson = (frontmatter: string, body = '') => `---\n${frontmatter}\n---\n${body}`;
const valid = 'title: Docker Host\ndescription: The machine.\nsidebar:\n  order: 4';

describe('readLessonSource', () => {
  it('reads frontmatter, heading levels and code blocks', () => {
    const result = readLessonSource('a.mdx', lesson(valid, '## One\ntext\n### Sub\n```sh\ndocker ps\n```\n## Two\n'));
    expect(result).toEqual({
      ok: true,
      lesson: {
        frontmatter: { title: 'Docker Host', description: 'The machine.', sidebar: { order: 4 } },
        headingLevels: [2, 3, 2],
        codeBlocks: 1,
      },
    });
  });

  it('ignores heading-like lines and shorter fences inside a code block', () => {
    const body = '````md\n## not a heading\n```\nstill code\n```\n````\n~~~\n# comment\n~~~\n## Real\n';
    const result = readLessonSource('a.mdx', lesson(valid, body));
    expect(result.ok && result.lesson).toMatchObject({ headingLevels: [2], codeBlocks: 2 });
  });

  it('names the file, the missing field and the fix', () => {
    const result = readLessonSource('src/content/docs/x.mdx', lesson('title: X\nsidebar:\n  order: 1'));
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          file: 'src/content/docs/x.mdx',
          field: 'description',
          message: 'is missing',
          fix: expect.stringContaining('add `description:'),
        },
      ],
    });
  });

  it('reports a wrongly typed nested field by its path', () => {
    const result = readLessonSource('x.mdx', lesson('title: X\ndescription: Y\nsidebar:\n  order: first'));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.field)).toEqual(['sidebar.order']);
      expect(result.problems[0].message).toMatch(/^is invalid: /);
      expect(result.problems[0].fix).toContain('whole number');
    }
  });

  it('reports broken YAML and a missing frontmatter block', () => {
    const broken = readLessonSource('x.mdx', lesson('title: [unclosed'));
    expect(!broken.ok && broken.problems[0]).toMatchObject({ field: 'frontmatter', message: expect.stringContaining('not valid YAML') });
    const none = readLessonSource('x.mdx', '# Just text\n');
    expect(!none.ok && none.problems[0]).toMatchObject({ field: 'frontmatter', message: 'has no frontmatter' });
  });

  it('rejects an empty title', () => {
    const result = readLessonSource('x.mdx', lesson('title: "  "\ndescription: Y\nsidebar:\n  order: 1'));
    expect(!result.ok && result.problems.map((p) => p.field)).toEqual(['title']);
  });
});
