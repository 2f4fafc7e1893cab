// Classes in the browser, on the whole platform: an instructor makes a class and projects its
// dashboard; two learners (each a browser of their own) join and type in their labs; the grid, the
// funnel and the reasons change by themselves; help mode shows a learner's terminal read-only with
// a banner on the learner's side; the CSV holds a row per learner per step. In pt-BR and en.
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { exportColumns } from '../../protocol/classes.ts';
import { instructorKeyOf } from '../../src/classes/class-pages.ts';
import { labs } from '../../src/labs/index.ts';

const lab = { id: 'arquitetura', path: '/arquitetura/visao-geral/' };
const steps = labs.get(lab.id)!.steps.map((step) => step.id);
const key = (step: string) => `${lab.id}/${step}`;

async function learnerIn(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

/** Makes a class on the new-class page; its join code and instructor link, as the page shows them. */
async function createClass(page: Page, path: string, name: string, submit: string, nameLabel: string) {
  await page.goto(path);
  await page.getByLabel(nameLabel).fill(name);
  await page.getByRole('button', { name: submit }).click();
  await expect(page.locator('[data-role="created"]')).toBeVisible({ timeout: 10_000 });
  const code = (await page.locator('[data-role="join-code"]').innerText()).trim();
  const instructorLink = await page.locator('[data-role="instructor-link"]').innerText();
  const joinLink = await page.locator('[data-role="join-link"]').innerText();
  return { code, instructorLink, joinLink };
}

const row = (page: Page, name: string) => page.locator('.class-grid tbody tr', { has: page.locator('.learner-name', { hasText: new RegExp(`^${name}$`) }) });
const cellOf = (page: Page, name: string, step: string) => row(page, name).locator(`td[data-step="${key(step)}"]`);
const funnelOf = (page: Page, step: string) => page.locator(`.class-funnel tr[data-step="${key(step)}"] .funnel-number`);
const terminalOf = (page: Page) => page.locator(`#lab-${lab.id}-panel-host1`);

async function startLab(page: Page, start: string, connected: string) {
  await page.getByRole('button', { name: start }).click();
  await expect(page.getByRole('status')).toHaveText(connected, { timeout: 30_000 });
  await expect(terminalOf(page).locator('.xterm-rows')).toContainText('host1:', { timeout: 10_000 });
}

async function typeIn(page: Page, text: string) {
  await terminalOf(page).locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** Ends a class through its API (its learners' sessions end), whatever state the page is in. */
async function endClass(page: Page, instructorLink: string) {
  const { classID, secret } = instructorKeyOf(new URL(instructorLink).hash)!;
  await page.request.post(`/api/classes/${classID}/end`, { headers: { authorization: `Bearer ${secret}` } }).catch(() => undefined);
}

/** A CSV as rows of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCSV(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  return rows;
}

test.describe('classes', () => {
  test.describe.configure({ mode: 'serial' });

  test('pt-BR instructor, two learners typing: the grid and funnel change live, help mode is read-only, the CSV has a row per learner per step', async ({ browser }) => {
    test.setTimeout(300_000);
    const instructor = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    const created = await createClass(instructor, '/turmas/nova/', 'Oficina de sábado', 'Criar a turma', 'Nome da turma');
    try {
      await walkThrough(browser, instructor, created);
    } finally {
      // Ending the class ends its learners' sessions, so the next test finds room (a passing run ended it already).
      await endClass(instructor, created.instructorLink);
    }
  });

  async function walkThrough(browser: Browser, instructor: Page, created: Awaited<ReturnType<typeof createClass>>) {
    expect(created.code).toMatch(/^[A-Z2-9]{6}$/);
    expect(created.joinLink).toMatch(new RegExp(`/turmas/entrar/\\?codigo=${created.code}$`));
    // The instructor link carries the class and its secret in the fragment only; it can't be derived from the code.
    const instructorURL = new URL(created.instructorLink);
    expect(instructorURL.pathname).toBe('/turmas/painel/');
    expect(instructorURL.hash).toMatch(/^#[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{43}$/);
    expect(instructorURL.hash).not.toContain(created.code);
    await instructor.getByRole('link', { name: 'Abrir o painel da turma' }).click();
    await expect(instructor.locator('[data-role="class-heading"]')).toHaveText('Oficina de sábado (aberta)');
    await expect(instructor.locator('[data-role="connection"]')).toHaveText('Ao vivo');
    await expect(instructor.locator('[data-role="join-with"]')).toContainText(created.code);
    await expect(instructor.getByText('Ninguém entrou ainda')).toBeVisible();

    // Learner A (Portuguese, with a name) joins from the link, and passes the first step by typing.
    const ana = await learnerIn(browser);
    await ana.goto(created.joinLink);
    await expect(ana.getByLabel('Código da turma')).toHaveValue(created.code);
    await ana.getByLabel(/Seu nome/).fill('Ana');
    await ana.getByRole('button', { name: 'Entrar na turma' }).click();
    await expect(ana.locator('[data-role="class-title"]')).toHaveText('Você está na turma Oficina de sábado.');
    await expect(row(instructor, 'Ana')).toBeVisible(); // no reload: the push channel said so

    // Learner B (English, no name) joins with the code typed by hand.
    const learner2 = await learnerIn(browser);
    await learner2.goto('/en/classes/join/');
    await learner2.getByLabel('Class code').fill(created.code.toLowerCase());
    await learner2.getByRole('button', { name: 'Join the class' }).click();
    await expect(learner2.locator('[data-role="class-title"]')).toHaveText('You are in the class Oficina de sábado.');
    await expect(row(instructor, 'Aprendiz 2')).toBeVisible();
    await expect(funnelOf(instructor, steps[0])).toHaveText(['0', '0']);

    await ana.goto(lab.path);
    await startLab(ana, 'Começar o laboratório', 'Conectado ao host1');
    await typeIn(ana, 'docker version');
    await expect(cellOf(instructor, 'Ana', steps[0])).toHaveAttribute('data-state', 'done', { timeout: 15_000 });
    await expect(cellOf(instructor, 'Ana', steps[0])).toContainText('feito');
    await expect(funnelOf(instructor, steps[0])).toHaveText(['1', '1']);

    // B does the first step and gets the third wrong: their cell says why, in the instructor's language.
    await learner2.goto(`/en${lab.path}`);
    await startLab(learner2, 'Start the lab', 'Connected to host1');
    await typeIn(learner2, 'docker version');
    await expect(funnelOf(instructor, steps[0])).toHaveText(['2', '2'], { timeout: 15_000 });
    await typeIn(learner2, 'docker run -d --name banco -p 8080:5432 -e POSTGRES_PASSWORD=doca postgres');
    const wrongPort = 'A porta 5433 não está publicada no host1; o container banco publica 8080→5432';
    await expect(cellOf(instructor, 'Aprendiz 2', 'run-postgres')).toContainText(wrongPort, { timeout: 120_000 });
    await expect(cellOf(instructor, 'Aprendiz 2', 'run-postgres')).toHaveAttribute('data-state', 'working');
    await expect(cellOf(instructor, 'Ana', 'run-postgres')).toHaveAttribute('data-state', 'not-started');
    await expect(instructor.locator(`.reasons-step[data-step="${key('run-postgres')}"]`)).toContainText(wrongPort);
    // Both reached the second step (each is on it, or was); B's postgres run pulled its image.
    await expect(funnelOf(instructor, 'pull-postgres')).toHaveText(['2', '1']);

    // Help mode: B asks; the instructor watches B's terminal, read-only; B sees the banner.
    await learner2.getByRole('button', { name: 'Ask for help' }).click();
    await expect(learner2.getByRole('button', { name: 'Ask for help' })).toHaveAttribute('aria-pressed', 'true');
    await expect(row(instructor, 'Aprendiz 2')).toContainText('pede ajuda');
    await expect(instructor.locator('.class-grid tbody tr').first()).toContainText('Aprendiz 2'); // asking for help sorts first
    await row(instructor, 'Aprendiz 2').getByRole('button', { name: 'Ver o terminal: Aprendiz 2' }).click();
    const watched = instructor.locator('.class-help-terminal .xterm-rows');
    await expect(watched).toContainText('docker run -d --name banco', { timeout: 15_000 });
    await expect(learner2.locator('[data-role="watched"]')).toHaveText('Your instructor is watching your terminal (read-only)');
    await expect(learner2.locator('[data-role="watched"]')).toBeVisible();
    await typeIn(learner2, 'echo learner-marker-31');
    await expect(watched).toContainText('learner-marker-31');
    await instructor.locator('.class-help-terminal .xterm-helper-textarea').focus();
    await instructor.keyboard.type('echo instructor-marker-47');
    await instructor.keyboard.press('Enter');
    await learner2.waitForTimeout(1_500);
    await expect(terminalOf(learner2).locator('.xterm-rows')).not.toContainText('instructor-marker-47');
    // B stops asking: the view closes and the banner goes.
    await learner2.getByRole('button', { name: 'Ask for help' }).click();
    await expect(instructor.locator('[data-role="help-status"]')).toHaveText('Aprendiz 2 não pede mais ajuda; o terminal fechou.', { timeout: 10_000 });
    await expect(learner2.locator('[data-role="watched"]')).toHaveText('', { timeout: 10_000 });

    // The CSV: one row per learner per step, in the page's language.
    const [download] = await Promise.all([instructor.waitForEvent('download'), instructor.getByRole('button', { name: 'Baixar CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^turma-oficina-de-sabado-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, ...rows] = parseCSV(readFileSync(await download.path(), 'utf8'));
    expect(header).toEqual([...exportColumns]);
    expect(rows).toHaveLength(2 * steps.length);
    const field = (name: string, step: string, column: (typeof exportColumns)[number]) => rows.find((r) => r[1] === name && r[3] === step)![exportColumns.indexOf(column)];
    expect(field('Ana', steps[0], 'state')).toBe('done');
    expect(field('Ana', steps[0], 'firstPassedAt')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(field('Ana', 'run-postgres', 'state')).toBe('not-started');
    expect(field('Aprendiz 2', 'run-postgres', 'state')).toBe('working');
    expect(field('Aprendiz 2', 'run-postgres', 'lastReason')).toContain('A porta 5433 não está publicada no host1');

    // The same dashboard in English: the language switch keeps the instructor link's secret.
    await instructor.locator('doca-class-lang-select select').first().selectOption({ label: 'English' });
    await expect(instructor).toHaveURL(/\/en\/classes\/dashboard\/#/);
    await expect(instructor.locator('[data-role="class-heading"]')).toHaveText('Oficina de sábado (open)');
    await expect(cellOf(instructor, 'Learner 2', 'run-postgres')).toContainText('Port 5433 is not published on host1; the container banco publishes 8080→5432');
    await expect(cellOf(instructor, 'Ana', steps[0])).toContainText('done');
    await expect(instructor.locator('.class-funnel thead')).toContainText('Reached');

    // Ending the class ends the learners' sessions; the data stays.
    instructor.on('dialog', (dialog) => void dialog.accept());
    await instructor.getByRole('button', { name: 'End the class' }).click();
    await expect(instructor.locator('[data-role="class-heading"]')).toHaveText('Oficina de sábado (ended)');
    await expect(ana.getByRole('status')).toHaveText('Sessão encerrada.', { timeout: 30_000 });
    await expect(cellOf(instructor, 'Ana', steps[0])).toContainText('done');
    await instructor.getByRole('button', { name: 'Delete the class' }).click();
    await expect(instructor.locator('[data-role="status"]')).toHaveText('This class was deleted.');
  }

  test('en: wrong and ended codes are refused clearly, a wrong secret opens nothing, a learner who deletes their data leaves the grid', async ({ browser }) => {
    test.setTimeout(90_000);
    const instructor = await (await browser.newContext()).newPage();
    await instructor.goto('/en/classes/new/');
    await instructor.getByRole('button', { name: 'Create the class' }).click();
    await expect(instructor.locator('[data-error="name"]')).toHaveText('Give the class a name.');
    const created = await createClass(instructor, '/en/classes/new/', 'Docker 101', 'Create the class', "The class's name");
    expect(created.joinLink).toMatch(new RegExp(`/en/classes/join/\\?code=${created.code}$`));
    await instructor.goto(created.instructorLink);
    await expect(instructor.locator('[data-role="class-heading"]')).toHaveText('Docker 101 (open)');

    const learner = await learnerIn(browser);
    await learner.goto('/en/classes/join/?code=ZZZZZZ');
    await learner.getByRole('button', { name: 'Join the class' }).click();
    await expect(learner.locator('[data-role="status"]')).toHaveText('No class has this code. Check it with your instructor.');
    await learner.getByLabel('Class code').fill('12');
    await learner.getByRole('button', { name: 'Join the class' }).click();
    await expect(learner.locator('[data-role="status"]')).toHaveText('The code has 6 letters and digits, as your instructor showed it.');
    await learner.goto(created.joinLink);
    await learner.getByLabel(/Your name/).fill('Bea');
    await learner.getByRole('button', { name: 'Join the class' }).click();
    await expect(learner.locator('[data-role="class-title"]')).toHaveText('You are in the class Docker 101.');
    await expect(row(instructor, 'Bea')).toBeVisible();
    await expect(instructor.locator('[data-role="counts"]')).toHaveText('Learners: 1 (with a lab open: 0)');

    // Keyboard: a live change of the grid leaves the focus where it was; the timeline opens and closes by keys.
    const timeline = instructor.getByRole('button', { name: 'Timeline: Bea' });
    await timeline.focus();
    const second = await learnerIn(browser);
    await second.goto(created.joinLink);
    await second.getByRole('button', { name: 'Join the class' }).click();
    await expect(row(instructor, 'Learner 2')).toBeVisible();
    await expect(timeline).toBeFocused();
    await instructor.keyboard.press('Enter');
    await expect(instructor.locator('[data-role="timeline-title"]')).toBeFocused();
    await expect(instructor.locator('[data-role="timeline-title"]')).toHaveText("Bea's timeline");
    await expect(instructor.locator('[data-role="timeline-list"]')).toHaveText('Nothing has happened yet.');
    await instructor.keyboard.press('Escape');
    await expect(timeline).toBeFocused();

    // Someone with the class id but not its secret gets nothing.
    const outsider = await learnerIn(browser);
    const wrongSecret = `${created.instructorLink.split('.').slice(0, -1).join('.')}.${'A'.repeat(43)}`;
    await outsider.goto(wrongSecret);
    await expect(outsider.locator('[data-role="status"]')).toHaveText('This instructor link opens no class: its secret is wrong, or the class was deleted.');
    await expect(outsider.locator('.class-grid tbody tr')).toHaveCount(0);

    learner.on('dialog', (dialog) => void dialog.accept());
    await learner.getByRole('button', { name: 'Delete my data' }).click();
    await expect(learner.locator('[data-role="privacy-status"]')).toHaveText('Your data was deleted.');
    await expect(row(instructor, 'Bea')).toHaveCount(0);
    await expect(row(instructor, 'Learner 2')).toBeVisible();

    instructor.on('dialog', (dialog) => void dialog.accept());
    await instructor.getByRole('button', { name: 'End the class' }).click();
    await expect(instructor.locator('[data-role="class-heading"]')).toHaveText('Docker 101 (ended)');
    const late = await learnerIn(browser);
    await late.goto(created.joinLink);
    await late.getByRole('button', { name: 'Join the class' }).click();
    await expect(late.locator('[data-role="status"]')).toHaveText('This class has ended and takes no one new.');
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe finds no serious or critical violation on the class pages, ${colorScheme} theme`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1300, height: 900 } });
      const page = await context.newPage();
      const serious = async () =>
        (await new AxeBuilder({ page }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      await page.goto('/turmas/nova/');
      await page.getByRole('button', { name: 'Criar a turma' }).click(); // with its field errors shown
      expect(await serious()).toEqual([]);
      const created = await createClass(page, '/en/classes/new/', 'Axe', 'Create the class', "The class's name");
      expect(await serious()).toEqual([]);
      const learner = await learnerIn(browser);
      await learner.goto(created.joinLink);
      await learner.getByRole('button', { name: 'Join the class' }).click();
      await expect(learner.locator('[data-role="class-title"]')).toBeVisible();
      await page.goto(created.instructorLink);
      await page.getByRole('button', { name: 'Timeline: Learner 1' }).click();
      await expect(page.locator('[data-role="timeline-title"]')).toBeFocused();
      expect(await serious()).toEqual([]);
      await page.goto(created.joinLink.replace('/en/classes/join/', '/turmas/entrar/'));
      expect(await serious()).toEqual([]);
      await endClass(page, created.instructorLink);
    });
  }
});
