import { describe, expect, it } from 'vitest';
import { lessonsForLocale, type LessonEntryLike } from './lesson-index';

const entry = (id: string, order: number, title = id): LessonEntryLike => ({
  id,
  data: { title, description: `About ${title}`, sidebar: { order } },
});

const entries = [
  entry('index', 0),
  entry('arquitetura/daemon', 3),
  entry('arquitetura/client', 2),
  entry('en', 0),
  entry('en/arquitetura/client', 2),
  entry('en/arquitetura/daemon', 3),
];

describe('lessonsForLocale', () => {
  it('lists the root locale lessons in order, without the landing page', () => {
    expect(lessonsForLocale(entries, undefined, ['en'])).toEqual([
      { href: '/arquitetura/client/', title: 'arquitetura/client', description: 'About arquitetura/client', position: 1 },
      { href: '/arquitetura/daemon/', title: 'arquitetura/daemon', description: 'About arquitetura/daemon', position: 2 },
    ]);
  });

  it('lists a translated locale under its prefix', () => {
    expect(lessonsForLocale(entries, 'en', ['en']).map((lesson) => lesson.href)).toEqual([
      '/en/arquitetura/client/',
      '/en/arquitetura/daemon/',
    ]);
  });
});
