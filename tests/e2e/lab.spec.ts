// The lab in the browser, against the whole platform: the lesson page, the control plane in
// wrangler dev, a real agent and real sandbox hosts.
import { expect, test, type Page } from '@playwright/test';
import { e2eControlPlaneKey } from '../../playwright.config';
import { signAgentToken } from '../../protocol/tokens.ts';

/** The overview's lab (two hosts); the lesson on the path of a command has a lab of its own, and shell blocks. */
const overview = { path: '/arquitetura/visao-geral/', lab: 'arquitetura' };
const commandPath = { path: '/arquitetura/fluxo/', lab: 'fluxo' };
const lesson = overview.path;
const terminalOf = (page: Page, host: string, lab = overview.lab) => page.locator(`#lab-${lab}-panel-${host}`);
const screenOf = (page: Page, host: string, lab = overview.lab) => terminalOf(page, host, lab).locator('.xterm-rows');

async function startLab(page: Page, { path, lab } = overview) {
  await page.goto(path);
  await page.getByRole('button', { name: 'Começar o laboratório' }).click();
  await expect(page.getByRole('status')).toHaveText('Conectado ao host1', { timeout: 30_000 });
  await expect(screenOf(page, 'host1', lab)).toContainText('host1:', { timeout: 10_000 });
}

async function typeIn(page: Page, host: string, text: string) {
  await terminalOf(page, host).locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** Ends the page's session so the next test finds room. */
async function endLab(page: Page, lab = overview.lab) {
  const { session } = await (await page.request.get(`/api/sessions?lab=${lab}`)).json();
  if (session) await page.request.delete(`/api/sessions/${session.id}`, { headers: { origin: new URL(page.url()).origin } });
}

test.describe('the lab beside a lesson', () => {
  test.describe.configure({ mode: 'serial' });

  test('pt-BR: Start, then docker run --rm hello-world in host1 shows its message', async ({ page }) => {
    await startLab(page);
    await typeIn(page, 'host1', 'docker run --rm hello-world');
    // Its message ends (the visible rows) with what happened, in Portuguese then English.
    await expect(screenOf(page, 'host1')).toContainText('Para tentar algo mais ambicioso', { timeout: 30_000 });
    await expect(screenOf(page, 'host1')).toContainText('The Docker client (the docker command) contacted the Docker daemon');
    await endLab(page);
  });

  test("a command block's run button types it into the host's terminal", async ({ page }) => {
    // A fresh daemon pulls postgres (about 150 MB to unpack) while the other worker's learners
    // may be pulling it too, on two cores.
    test.setTimeout(120_000);
    await startLab(page, commandPath);
    // The lesson's `docker run -p 5433:5432 postgres`: without a password, postgres refuses.
    await page.getByRole('button', { name: 'Executar no host1' }).first().click();
    await expect(screenOf(page, 'host1', commandPath.lab)).toContainText('docker run -p 5433:5432 postgres');
    await expect(screenOf(page, 'host1', commandPath.lab)).toContainText('superuser password is not specified', { timeout: 90_000 });
    await endLab(page, commandPath.lab);
  });

  test('a reload finds the same session, with its scrollback', async ({ page }) => {
    await startLab(page);
    await typeIn(page, 'host1', 'echo marca-$((20+22))');
    await expect(screenOf(page, 'host1')).toContainText('marca-42');
    await page.reload();
    await expect(page.getByRole('status')).toHaveText('Conectado ao host1', { timeout: 30_000 });
    await expect(screenOf(page, 'host1')).toContainText('marca-42');
    await expect(page.getByRole('button', { name: 'Começar o laboratório' })).toBeHidden();
    await endLab(page);
  });

  test('a dropped connection comes back by itself, to the same shell', async ({ page }) => {
    // The terminal's socket passes through Playwright, which can cut it like a network failure.
    const sockets: { close: (options: { code: number; reason: string }) => Promise<void> }[] = [];
    await page.routeWebSocket(/\/terminal$/, (socket) => {
      socket.connectToServer();
      sockets.push(socket);
    });
    await startLab(page);
    await typeIn(page, 'host1', 'export ANTES=$((6*7))');
    const statuses: string[] = [];
    await page.exposeFunction('recordStatus', (text: string) => statuses.push(text));
    await page.evaluate(() => {
      const status = document.querySelector('[data-role="status"]')!;
      new MutationObserver(() => (window as unknown as { recordStatus: (t: string) => void }).recordStatus(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
    });
    await sockets.at(-1)!.close({ code: 1011, reason: 'network' });
    await expect(page.getByRole('status')).toHaveText('Conectado ao host1', { timeout: 30_000 });
    expect(statuses).toContain('Conexão com o host1 perdida; tentando de novo…');
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    await typeIn(page, 'host1', 'echo "de volta $ANTES"');
    await expect(screenOf(page, 'host1')).toContainText('de volta 42');
    await endLab(page);
  });

  test('host2 has its own terminal, and host1 drives its daemon', async ({ page }) => {
    await startLab(page);
    await page.getByRole('tab', { name: 'host2' }).click();
    await expect(page.getByRole('status')).toHaveText('Conectado ao host2');
    await typeIn(page, 'host2', 'docker volume create volume-do-host2');
    await expect(screenOf(page, 'host2')).toContainText('volume-do-host2');
    await page.getByRole('tab', { name: 'host1' }).click();
    await typeIn(page, 'host1', 'docker -H tcp://host2:2376 --tlsverify volume ls');
    await expect(screenOf(page, 'host1')).toContainText(/local\s+volume-do-host2/, { timeout: 20_000 });
    await endLab(page);
  });

  test("learner B cannot open learner A's terminal or see A's session", async ({ page, browser }) => {
    await startLab(page);
    const { session } = await (await page.request.get('/api/sessions?lab=arquitetura')).json();
    const other = await browser.newContext();
    const b = await other.newPage();
    await b.goto(lesson);
    expect((await b.request.get(`/api/sessions/${session.id}`)).status()).toBe(404);
    const opened = await b.evaluate(
      (id) =>
        new Promise<string>((resolve) => {
          const socket = new WebSocket(`ws://${location.host}/api/sessions/${id}/hosts/host1/terminal`);
          socket.onopen = () => resolve('opened');
          socket.onerror = () => resolve('refused');
        }),
      session.id,
    );
    expect(opened).toBe('refused');
    await other.close();
    await endLab(page);
  });

  test("a published port opens in a tab through the preview, for its learner only", async ({ page, browser }) => {
    await startLab(page);
    await typeIn(page, 'host1', 'docker run -d -p 8080:80 nginx && echo pronto-$((1+1))');
    await expect(screenOf(page, 'host1')).toContainText('pronto-2', { timeout: 30_000 });
    const { session } = await (await page.request.get('/api/sessions?lab=arquitetura')).json();
    const preview = await page.context().newPage();
    await preview.goto(`/api/sessions/${session.id}/hosts/host1/ports/8080`);
    await expect(preview.locator('h1')).toHaveText('Welcome to nginx!');
    const other = await browser.newContext();
    const response = await other.request.get(`/api/sessions/${session.id}/hosts/host1/ports/8080/`);
    expect(response.status()).toBe(404);
    await other.close();
    await endLab(page);
  });

  test('the learner may give a name, and the same browser keeps it', async ({ page }) => {
    await page.goto(lesson);
    const name = page.getByLabel('Seu nome (opcional, para a turma)');
    await expect(name).toHaveValue('');
    await name.fill('Ana Lima');
    await name.press('Enter');
    await expect(page.getByText('Nome salvo.')).toBeVisible();
    await page.reload();
    await expect(page.getByLabel('Seu nome (opcional, para a turma)')).toHaveValue('Ana Lima');
  });

  test('en: the same lab speaks English', async ({ page }) => {
    await page.goto(`/en${commandPath.path}`);
    await page.getByRole('button', { name: 'Start the lab' }).click();
    await expect(page.getByRole('status')).toHaveText('Connected to host1', { timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Run on host1' }).first()).toBeVisible();
    await expect(page.getByText(/Time left: 1:59:\d\d|Time left: 2:00:00/)).toBeVisible();
    await endLab(page, commandPath.lab);
  });

  test('spreads learners over two real agents reporting to the control plane', async ({ browser }) => {
    const pages: Page[] = [];
    for (let learner = 0; learner < 3; learner++) {
      const page = await (await browser.newContext()).newPage();
      await startLab(page);
      pages.push(page);
    }
    // Only these learners' sessions count: tests in other files may hold sessions on the same agents.
    const ours = new Set<string>();
    for (const page of pages) ours.add(((await (await page.request.get(`/api/sessions?lab=${overview.lab}`)).json()) as { session: { id: string } }).session.id);
    const held = async (agentID: string, port: number) => {
      const token = await signAgentToken(JSON.stringify(e2eControlPlaneKey), agentID, { method: 'GET', path: '/sessions' });
      const sessions = (await (await fetch(`http://127.0.0.1:${port}/sessions`, { headers: { authorization: `Bearer ${token}` } })).json()) as { key: string | null }[];
      return sessions.filter((session) => session.key !== null && ours.has(session.key)).length;
    };
    expect(ours.size).toBe(3);
    expect(await held('e2e', 7079)).toBeGreaterThanOrEqual(1);
    expect(await held('e2e-b', 7080)).toBeGreaterThanOrEqual(1);
    expect((await held('e2e', 7079)) + (await held('e2e-b', 7080))).toBe(3);
    for (const page of pages) {
      await endLab(page);
      await page.context().close();
    }
  });
});

test.describe('the lab with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  // (Chromium with script execution disabled by DevTools still parses <noscript> as if scripts ran,
  // so the message is checked in the markup; a browser with JavaScript off shows it.)
  test('offers no Start that would do nothing, and says the lab needs JavaScript', async ({ page }) => {
    await page.goto(lesson);
    await expect(page.getByRole('heading', { name: 'Laboratório: Client, daemon e registry na prática' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Começar o laboratório' })).toBeHidden();
    expect(await page.content()).toContain('<noscript><p class="lab-noscript">O laboratório precisa de JavaScript: o terminal roda no navegador.</p></noscript>');
    await page.goto(`/en${lesson}`);
    expect(await page.content()).toContain('The lab needs JavaScript: its terminal runs in the browser.</p></noscript>');
  });
});
