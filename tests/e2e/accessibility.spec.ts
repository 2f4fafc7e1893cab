import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { editionLessons, editionPages, editions } from './lessons';

// One test per page and theme: each stays well inside the test timeout on a slow machine.
for (const edition of editions) {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const path of editionPages(edition)) {
      test(`axe finds no serious or critical violation on ${path}, ${colorScheme} theme`, async ({ page }) => {
        await page.emulateMedia({ colorScheme });
        await page.goto(path);
        await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
        const { violations } = await new AxeBuilder({ page }).analyze();
        const serious = violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(serious).toEqual([]);
      });
    }
  }
}

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  for (const edition of editions) {
    for (const path of editionLessons(edition)) {
      test(`${path} is readable`, async ({ page }) => {
        await page.goto(path);
        await expect(page.locator('html')).toHaveAttribute('lang', edition.lang);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        const main = page.locator('main .sl-markdown-content');
        await expect(main).toBeVisible();
        expect((await main.innerText()).length).toBeGreaterThan(150);
      });
    }

    test(`the ${edition.lang} code blocks are labelled in the page's language`, async ({ page }) => {
      await page.goto(`${edition.home}arquitetura/registries/`);
      const terminal = page.getByRole('figure', { name: edition.lang === 'en' ? 'Terminal window' : 'Janela do terminal' });
      await expect(terminal).toHaveCount(2);
      const copyLabel = edition.lang === 'en' ? 'Copy to clipboard' : 'Copiar para a área de transferência';
      await expect(terminal.first().locator(`button[title="${copyLabel}"]`)).toBeAttached();
    });

    test(`the ${edition.lang} diagram has a text alternative in the page's language`, async ({ page }) => {
      await page.goto(`${edition.home}arquitetura/visao-geral/`);
      const diagram = page.getByRole('img', { name: edition.lang === 'en' ? 'Docker architecture' : 'Arquitetura do Docker' });
      await expect(diagram).toBeVisible();
      await expect(diagram.locator('desc')).toContainText(edition.lang === 'en' ? 'The daemon downloads images' : 'O daemon baixa imagens');
      await expect(diagram.locator('text', { hasText: edition.lang === 'en' ? 'Images' : 'Imagens' })).toBeVisible();
    });
  }
});
