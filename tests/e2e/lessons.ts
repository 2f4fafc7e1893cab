// The guide's pages for the browser tests. `editionPages` reads them from the lesson sources, so each
// page gets tests of its own before the browser starts; `lessonPaths` finds the lessons the way a
// reader does, from the landing page's list.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { translatedLocales } from '../../src/i18n/locales';
import { lessonsForLocale } from '../../src/lessons/lesson-index';
import { readLessonSource } from '../../src/lessons/lesson-source';

export const editions = [
  { lang: 'pt-BR', locale: undefined, home: '/', label: 'Português', search: 'Pesquisar', searchLabel: 'Pesquisar neste site' },
  { lang: 'en', locale: 'en', home: '/en/', label: 'English', search: 'Search', searchLabel: 'Search this site' },
] as const;

export type Edition = (typeof editions)[number];

const docsDir = fileURLToPath(new URL('../../src/content/docs/', import.meta.url));

const lessonEntries = readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.mdx?$/.test(file))
  .map((file) => {
    const result = readLessonSource(file, readFileSync(join(docsDir, file), 'utf8'));
    if (!result.ok) throw new Error(`src/content/docs/${file}: ${result.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    return { id: file.split('\\').join('/').replace(/\.mdx?$/, ''), data: result.lesson.frontmatter };
  });

/** The lessons of one edition, in reading order, as the landing page lists them. */
export function editionLessons(edition: Edition): string[] {
  const lessons = lessonsForLocale(lessonEntries, edition.locale, Object.keys(translatedLocales)).map((lesson) => lesson.href);
  if (lessons.length === 0) throw new Error(`No ${edition.lang} lesson found under ${docsDir}.`);
  return lessons;
}

/** Every page of one edition: its landing page, then its lessons. */
export function editionPages(edition: Edition): string[] {
  return [edition.home, ...editionLessons(edition)];
}

export async function lessonPaths(page: Page, home: string): Promise<string[]> {
  await page.goto(home);
  return page.locator('.lesson-list a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
}
