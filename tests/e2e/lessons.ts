// Finds the guide's lessons the way a reader does: from the landing page's list.
import type { Page } from '@playwright/test';

export const editions = [
  { lang: 'pt-BR', home: '/', label: 'Português', search: 'Pesquisar', searchLabel: 'Pesquisar neste site' },
  { lang: 'en', home: '/en/', label: 'English', search: 'Search', searchLabel: 'Search this site' },
] as const;

export async function lessonPaths(page: Page, home: string): Promise<string[]> {
  await page.goto(home);
  return page.locator('.lesson-list a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
}
