// The learner's progress across labs, on the whole platform: a step passed in one lab shows, with
// the lab's title in the page's language and a link to its lesson, on another lab's lesson page.
import { expect, test, type Page } from '@playwright/test';
import { labs } from '../../src/labs/index.ts';

const arquitetura = labs.get('arquitetura')!;
const registries = labs.get('registries')!;

const editions = [
  {
    lang: 'pt-BR',
    prefix: '',
    start: 'Começar o laboratório',
    connected: 'Conectado ao host1',
    heading: 'Seu progresso nos laboratórios',
    steps: (done: number, total: number) => `${done} de ${total} passos feitos`,
  },
  {
    lang: 'en',
    prefix: '/en',
    start: 'Start the lab',
    connected: 'Connected to host1',
    heading: 'Your progress in the labs',
    steps: (done: number, total: number) => `${done} of ${total} steps done`,
  },
] as const;

const entry = (page: Page, lab: string) => page.locator(`doca-labs-progress li[data-lab="${lab}"]`);

for (const edition of editions) {
  test(`${edition.lang}: a step passed in one lab shows on another lab's lesson page`, async ({ page }) => {
    test.setTimeout(120_000);
    const overview = `${edition.prefix}/${arquitetura.lesson}/`;
    await page.goto(overview);
    await expect(entry(page, 'arquitetura')).toContainText(edition.steps(0, arquitetura.steps.length), { timeout: 10_000 });
    await page.getByRole('button', { name: edition.start }).click();
    await expect(page.getByRole('status')).toHaveText(edition.connected, { timeout: 30_000 });
    await page.locator('#lab-arquitetura-panel-host1 .xterm-helper-textarea').focus();
    await page.keyboard.type('docker version');
    await page.keyboard.press('Enter');
    await expect(page.locator('li[data-step="client-e-daemon"]')).toHaveAttribute('data-state', 'passed', { timeout: 10_000 });
    // On the lab's own page the list follows the step as it turns green.
    await expect(entry(page, 'arquitetura')).toContainText(edition.steps(1, arquitetura.steps.length));
    const { session } = await (await page.request.get('/api/sessions?lab=arquitetura')).json();
    await page.request.delete(`/api/sessions/${session.id}`, { headers: { origin: new URL(page.url()).origin } });

    // Another lab's lesson: the same learner's progress, kept by the control plane.
    await page.goto(`${edition.prefix}/${registries.lesson}/`);
    const list = page.locator('doca-labs-progress');
    await expect(list.getByRole('heading', { name: edition.heading })).toBeVisible();
    await expect(entry(page, 'arquitetura')).toContainText(edition.steps(1, arquitetura.steps.length), { timeout: 10_000 });
    await expect(entry(page, 'registries')).toContainText(edition.steps(0, registries.steps.length));
    await expect(list.getByRole('link', { name: registries.title[edition.lang] })).toHaveAttribute('aria-current', 'page');
    await list.getByRole('link', { name: arquitetura.title[edition.lang] }).click();
    await expect(page).toHaveURL(new RegExp(`${overview}$`));
  });
}
