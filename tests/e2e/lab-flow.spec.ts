// A whole lab typed in the browser, and the path of a command drawn as it happens. The lab is the
// one beside the lesson on the path of a command; its steps and solution come from its definition,
// the same one the page and the checks read.
import { expect, test, type Page } from '@playwright/test';
import { labForLesson } from '../../src/labs/lab-for-lesson.ts';

const lab = labForLesson('arquitetura/fluxo', ['en'])!;
const runCommand = 'docker run -d -p 5433:5432 -e POSTGRES_PASSWORD=doca postgres';

const editions = [
  { lang: 'pt-BR', path: '/arquitetura/fluxo/', start: 'Começar o laboratório', connected: 'Conectado ao host1', port: 'O daemon mapeia a porta 5433 do host1 para a porta 5432', pull: 'O daemon do host1 baixa postgres:latest do registry Docker Hub' },
  { lang: 'en', path: '/en/arquitetura/fluxo/', start: 'Start the lab', connected: 'Connected to host1', port: "The daemon maps host1's port 5433 to port 5432", pull: "host1's daemon pulls postgres:latest from the registry Docker Hub" },
] as const;

async function typeIn(page: Page, host: string, text: string) {
  await page.getByRole('tab', { name: host }).click();
  await page.locator(`#lab-${lab.id}-panel-${host} .xterm-helper-textarea`).focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function endSession(page: Page) {
  const { session } = await (await page.request.get(`/api/sessions?lab=${lab.id}`)).json();
  if (session) await page.request.delete(`/api/sessions/${session.id}`, { headers: { origin: new URL(page.url()).origin } });
}

test.describe('the path of a command', () => {
  for (const edition of editions) {
    test(`${edition.lang}: docker run -p draws the lesson's seven steps, in order, as they happen`, async ({ page }) => {
      test.setTimeout(120_000);
      await page.goto(edition.path);
      await page.getByRole('button', { name: edition.start }).click();
      await expect(page.getByRole('status')).toHaveText(edition.connected, { timeout: 30_000 });
      await typeIn(page, 'host1', runCommand);
      const flow = page.locator('.lab-flow[open]');
      await expect(flow.locator('summary code')).toContainText(runCommand, { timeout: 10_000 });
      // 1 the client gets it, 2 asks for a container, 3 no image: pulled, 4 created, 5 port, 6 started, 7 the id shown.
      await expect(flow.locator('.flow-step')).toHaveText(['1', '2', '3', '3', '4', '5', '6', '7'], { timeout: 90_000 });
      await expect(flow.locator('.flow-entry[data-actor="daemon"]').filter({ hasText: edition.port })).toHaveCount(1);
      await expect(flow.locator('.flow-entry[data-actor="registry"]')).toContainText(edition.pull);
      await expect(flow.locator('.flow-entry[data-actor="client"]').filter({ hasText: /POST \/v[\d.]+\/containers\/create/ })).toHaveCount(2);
      await endSession(page);
    });
  }
});

test(`the lab "${lab.id}", done end to end by typing: every step turns green by itself, nothing pressed but keys`, async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/en/arquitetura/fluxo/');
  await page.getByRole('button', { name: 'Start the lab' }).click();
  await expect(page.getByRole('status')).toHaveText('Connected to host1', { timeout: 30_000 });
  for (const step of lab.steps) {
    await expect(page.locator(`li[data-step="${step.id}"]`)).not.toHaveAttribute('data-state', 'passed');
    for (const command of step.solution) await typeIn(page, command.host, command.run);
    await expect(page.locator(`li[data-step="${step.id}"]`), step.id).toHaveAttribute('data-state', 'passed', { timeout: 90_000 });
  }
  await expect(page.locator('li[data-step][data-state="passed"]')).toHaveCount(lab.steps.length);
  await endSession(page);
});

test("a step's own run button, pressed before Start, starts the lab and types its command: the step turns green", async ({ page }) => {
  test.setTimeout(120_000);
  const [first] = lab.steps;
  await page.goto('/arquitetura/fluxo/');
  const button = page.locator(`li[data-step="${first.id}"] button[data-run-command]`).first();
  await expect(button).toHaveAccessibleName(`Executar no ${first.commands[0].host}: ${first.commands[0].run}`);
  await button.click();
  await expect(page.locator(`#lab-${lab.id}-panel-${first.commands[0].host} .xterm-rows`)).toContainText(first.commands[0].run, { timeout: 60_000 });
  await expect(page.locator(`li[data-step="${first.id}"]`)).toHaveAttribute('data-state', 'passed', { timeout: 90_000 });
  await endSession(page);
});
