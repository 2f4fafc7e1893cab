// The learner's progress across every lab, in the list beside a lab (LabsProgress.astro): n of m
// steps done per lab, from the control plane's record and, for the lab on the page, its steps as
// they turn green. Called once the learner's identity is settled (the lab controller's first call).
import { learnerProgressByLabSchema } from '../../protocol/control-plane.ts';
import { labs } from '../labs/index.ts';
import { tallyLabs } from './across-labs';
import { formatter, type LabStrings } from './lab-strings';

/** The lab steps' states that count as done (a step passed earlier stays done if no longer so now). */
const doneStates = new Set(['passed', 'passed-stale']);

export async function showProgressAcrossLabs(page: ParentNode = document): Promise<void> {
  const list = page.querySelector<HTMLElement>('doca-labs-progress');
  if (!list) return;
  const t = formatter(JSON.parse(list.querySelector('[data-role="strings"]')!.textContent!) as LabStrings);
  const panel = page.querySelector<HTMLElement>('doca-lab[data-lab]');
  let kept: Record<string, { step: string }[]>;
  try {
    const response = await fetch('/api/me/progress', { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(String(response.status));
    kept = learnerProgressByLabSchema.parse(await response.json()).labs;
  } catch {
    const status = list.querySelector<HTMLElement>('[data-role="status"]')!;
    status.textContent = t('doca.lab.yourLabsUnavailable');
    status.hidden = false;
    return;
  }
  const render = () => {
    const live = panel ? { lab: panel.dataset.lab!, steps: [...panel.querySelectorAll<HTMLElement>('li[data-step]')].filter((item) => doneStates.has(item.dataset.state ?? '')).map((item) => item.dataset.step!) } : undefined;
    for (const { lab, done, total } of tallyLabs(labs.values(), kept, live)) {
      const item = list.querySelector<HTMLElement>(`li[data-lab="${lab}"]`);
      if (!item) continue;
      item.dataset.done = String(done);
      item.dataset.complete = String(done === total);
      item.querySelector('[data-role="count"]')!.textContent = t('doca.lab.yourLabsSteps', { done, total });
    }
  };
  render();
  if (panel) new MutationObserver(render).observe(panel, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
}
