// What a learner sees when no sandbox host can start their lab: the control plane's answer for that
// case (a session ended `failed`, as its workerd tests produce it) replaces the first Start's; the
// retry goes to the real platform.
import { expect, test } from '@playwright/test';
import type { LabSession } from '../../protocol/control-plane.ts';

const failed: LabSession = {
  id: '00000000-0000-4000-8000-000000000000',
  lab: 'arquitetura',
  state: 'ended',
  queuePosition: null,
  hosts: [],
  createdAt: new Date().toISOString(),
  expiresAt: null,
  endedReason: 'failed',
};

for (const edition of [
  { path: '/arquitetura/visao-geral/', start: 'Começar o laboratório', message: 'Não conseguimos preparar seus hosts Docker agora', retry: 'Tentar de novo', connected: 'Conectado ao host1' },
  { path: '/en/arquitetura/visao-geral/', start: 'Start the lab', message: "We couldn't prepare your Docker hosts right now", retry: 'Try again', connected: 'Connected to host1' },
]) {
  test(`${edition.path}: a Start no sandbox host could serve says so, with a retry that works`, async ({ page }) => {
    let refused = false;
    await page.route('**/api/sessions', async (route) => {
      if (route.request().method() !== 'POST' || refused) return route.continue();
      refused = true;
      await route.fulfill({ status: 200, json: failed });
    });
    await page.goto(edition.path);
    await page.getByRole('button', { name: edition.start }).click();
    await expect(page.getByText(edition.message)).toBeVisible();
    // Nothing about the machine reaches the learner.
    await expect(page.locator('doca-lab')).not.toContainText(/tap0|dockerd|rootless/);
    await page.getByRole('button', { name: edition.retry }).click();
    await expect(page.getByRole('status')).toHaveText(edition.connected, { timeout: 30_000 });
    const { session } = await (await page.request.get('/api/sessions?lab=arquitetura')).json();
    await page.request.delete(`/api/sessions/${session.id}`, { headers: { origin: new URL(page.url()).origin } });
  });
}
