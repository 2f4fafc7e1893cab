// The lab's steps in the browser, on the whole platform: they turn green by themselves as the
// learner types (nothing to press), and a wrong attempt shows its reason in the page's language.
import { expect, test, type Page } from '@playwright/test';

const editions = [
  {
    lang: 'pt-BR',
    path: '/arquitetura/visao-geral/',
    start: 'Começar o laboratório',
    connected: 'Conectado ao host1',
    done: 'feito',
    check: 'Verificar agora',
    wrongPort: 'A porta 5433 não está publicada no host1; o container',
  },
  {
    lang: 'en',
    path: '/en/arquitetura/visao-geral/',
    start: 'Start the lab',
    connected: 'Connected to host1',
    done: 'done',
    check: 'Check now',
    wrongPort: 'Port 5433 is not published on host1; the container',
  },
] as const;

const terminalOf = (page: Page) => page.locator('#lab-arquitetura-panel-host1');
const step = (page: Page, id: string) => page.locator(`li[data-step="${id}"]`);

async function typeIn(page: Page, text: string) {
  await terminalOf(page).locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

test.describe('lab steps checked as they happen', () => {
  test.describe.configure({ mode: 'serial' });

  for (const edition of editions) {
    test(`${edition.lang}: docker version turns its step green; postgres on the wrong port says why`, async ({ page }) => {
      test.setTimeout(120_000);
      await page.goto(edition.path);
      await page.getByRole('button', { name: edition.start }).click();
      await expect(page.getByRole('status')).toHaveText(edition.connected, { timeout: 30_000 });
      await expect(step(page, 'client-e-daemon')).toHaveAttribute('data-state', 'failed');

      await typeIn(page, 'docker version');
      await expect(step(page, 'client-e-daemon')).toHaveAttribute('data-state', 'passed', { timeout: 5_000 });
      await expect(step(page, 'client-e-daemon').locator('.step-state')).toHaveText(edition.done);
      // Check now asks the agent at once: the same answer.
      const checked = page.waitForResponse((response) => response.url().endsWith('/check') && response.request().method() === 'POST');
      await page.getByRole('button', { name: edition.check }).click();
      expect((await checked).status()).toBe(200);
      await expect(step(page, 'client-e-daemon')).toHaveAttribute('data-state', 'passed');

      await typeIn(page, 'docker run -d --name banco -p 8080:5432 -e POSTGRES_PASSWORD=doca postgres');
      const reason = step(page, 'run-postgres').locator('.step-state');
      await expect(reason).toContainText(edition.wrongPort, { timeout: 90_000 });
      // What the learner named their container reaches the message as text, as code.
      await expect(reason.locator('code')).toHaveText(['banco']);
      await expect(reason).toContainText('8080→5432');

      const { session } = await (await page.request.get('/api/sessions?lab=arquitetura')).json();
      if (session) await page.request.delete(`/api/sessions/${session.id}`, { headers: { origin: new URL(page.url()).origin } });
    });
  }
});

/** Presses `key` until `reached` holds in the page (at most 30 times); whether it did. */
async function focusAfter(page: Page, key: string, reached: () => boolean): Promise<boolean> {
  for (let presses = 0; presses < 30; presses++) {
    if (await page.evaluate(reached)) return true;
    await page.keyboard.press(key);
  }
  return page.evaluate(reached);
}

test('keyboard only: Tab completes in the terminal, Ctrl+M lets Tab and Shift+Tab leave it, and back', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto('/en/arquitetura/visao-geral/');
  await page.getByRole('button', { name: 'Start the lab' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toHaveText('Connected to host1', { timeout: 30_000 });
  const inTerminal = () => page.evaluate(() => document.activeElement?.closest('.lab-terminal') !== null);
  await terminalOf(page).locator('.xterm-helper-textarea').focus();

  await page.keyboard.type('ech');
  await page.keyboard.press('Tab'); // the shell completes: focus stays
  expect(await inTerminal()).toBe(true);
  await expect(terminalOf(page).locator('.xterm-rows')).toContainText('echo', { timeout: 5_000 });
  await page.keyboard.press('Control+U');

  await page.keyboard.press('Control+M');
  await expect(page.getByRole('status')).toHaveText('Tab now moves focus; Ctrl+M to complete commands again');
  await page.keyboard.press('Tab');
  expect(await inTerminal()).toBe(false);
  await expect(page.getByRole('checkbox', { name: 'Screen reader mode' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  expect(await inTerminal()).toBe(true);
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('tab', { name: 'host1' })).toBeFocused();
  // Back past the lab's buttons, into the lesson's own text (its run buttons and links).
  expect(await focusAfter(page, 'Shift+Tab', () => document.activeElement?.closest('.doca-lab-text') !== null)).toBe(true);
  // And forward from the terminal, past the options and the name field, to the steps' Check now.
  await terminalOf(page).locator('.xterm-helper-textarea').focus();
  expect(await focusAfter(page, 'Tab', () => document.activeElement?.getAttribute('data-action') === 'check')).toBe(true);

  await terminalOf(page).locator('.xterm-helper-textarea').focus();
  await page.keyboard.press('Control+M');
  await expect(page.getByRole('status')).toHaveText('Tab completes commands in the terminal again');
  await page.keyboard.press('Tab');
  expect(await inTerminal()).toBe(true);

  const { session } = await (await page.request.get('/api/sessions?lab=arquitetura')).json();
  if (session) await page.request.delete(`/api/sessions/${session.id}`, { headers: { origin: new URL(page.url()).origin } });
});

test('a passed step lasts: after the session ends, on a reload and in another browser of the same learner', async ({ page, browser }) => {
  test.setTimeout(60_000);
  await page.goto('/arquitetura/visao-geral/');
  await page.getByRole('button', { name: 'Começar o laboratório' }).click();
  await expect(page.getByRole('status')).toHaveText('Conectado ao host1', { timeout: 30_000 });
  await typeIn(page, 'docker version');
  await expect(step(page, 'client-e-daemon')).toHaveAttribute('data-state', 'passed', { timeout: 5_000 });
  await page.getByRole('button', { name: 'Encerrar a sessão' }).click();
  await expect(page.locator('[data-action="start"]')).toBeVisible({ timeout: 10_000 });

  await page.reload();
  await expect(step(page, 'client-e-daemon')).toHaveAttribute('data-state', 'passed', { timeout: 10_000 });
  await expect(step(page, 'pull-postgres')).toHaveAttribute('data-state', 'pending');

  const other = await browser.newContext({ storageState: await page.context().storageState() });
  const elsewhere = await other.newPage();
  await elsewhere.goto('/en/arquitetura/visao-geral/');
  await expect(step(elsewhere, 'client-e-daemon').locator('.step-state')).toHaveText('done', { timeout: 10_000 });
  await other.close();
});
