import { expect, test } from '@playwright/test';
import { editionLessons, editions, lessonPaths } from './lessons';

test('serves the Portuguese guide at / and the English one at /en/', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Arquitetura Docker');
  await page.goto('/en/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Docker architecture');
});

for (const edition of editions) {
  test(`walks every ${edition.lang} lesson from the landing page with the next links`, async ({ page }) => {
    // The per-page tests read the same list from the lesson sources.
    const listed = await lessonPaths(page, edition.home);
    expect(listed).toEqual(editionLessons(edition));
    const visited: string[] = [];
    for (;;) {
      const next = page.locator('a[rel="next"]');
      if ((await next.count()) === 0) break;
      await next.click();
      await page.waitForLoadState('domcontentloaded');
      visited.push(new URL(page.url()).pathname);
      expect(visited.length, 'the next links should end').toBeLessThanOrEqual(listed.length);
    }
    expect(visited).toEqual(listed);
    await expect(page.locator('a[rel="prev"]')).toHaveAttribute('href', listed.at(-2)!);
  });
}

test('switches to English and back on the same lesson', async ({ page }) => {
  await page.goto('/arquitetura/daemon/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Docker Daemon (dockerd)');
  await expect(page.getByText('O client pede. O daemon executa.')).toBeVisible();

  await page.locator('starlight-lang-select select:visible').selectOption({ label: 'English' });
  await page.waitForURL('**/en/arquitetura/daemon/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByText('The client asks. The daemon does.')).toBeVisible();

  await page.locator('starlight-lang-select select:visible').selectOption({ label: 'Português' });
  await page.waitForURL((url) => url.pathname === '/arquitetura/daemon/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
});

for (const edition of editions) {
  test(`search finds "daemon" in the ${edition.lang} guide only`, async ({ page }) => {
    await page.goto(edition.home);
    await page.getByRole('button', { name: edition.search }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('search')).toHaveAccessibleName(edition.searchLabel);
    await dialog.getByRole('textbox').fill('daemon');
    const results = dialog.locator('.pagefind-ui__result-link');
    await expect(results.first()).toBeVisible();
    const hrefs = await results.evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    expect(hrefs).toContain(edition.lang === 'en' ? '/en/arquitetura/daemon/' : '/arquitetura/daemon/');
    for (const href of hrefs) {
      if (edition.lang === 'en') expect(href).toMatch(/^\/en\//);
      else expect(href).not.toMatch(/^\/en\//);
    }
  });
}

test('a lesson downloads the search UI only when the reader reaches for search', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  });
  await page.goto('/arquitetura/host/');
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => new Promise((resolve) => requestIdleCallback(resolve)));
  expect(scripts.some((path) => path.includes('ui-core'))).toBe(false);

  await page.getByRole('button', { name: 'Pesquisar' }).click();
  await expect(page.getByRole('dialog').getByRole('textbox')).toBeFocused();
  expect(scripts.some((path) => path.includes('ui-core'))).toBe(true);
});
