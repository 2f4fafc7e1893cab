// Beside the grid: the funnel (per step, how many reached it and passed it, as a table with bars)
// and the most frequent reasons the checks gave per step, in the page's language.
import type { ClassGrid } from '../../../protocol/classes.ts';
import type { Locale } from '../../labs/checks/reasons.ts';
import { frequentReasons, funnel } from '../class-insights';
import { reasonText, type ClassStep } from '../class-steps';
import type { Translate } from '../class-strings';
import { element, withCode } from '../dom-text';

const stepName = (step: ClassStep) => `${step.number}. ${step.title}`;

/** A count and, drawn beside it, its share of the class (for the eye only: the number says it). */
function bar(count: number, total: number, className: string): HTMLElement {
  const fill = element('span', `funnel-bar ${className}`);
  fill.style.inlineSize = `${total === 0 ? 0 : Math.round((count / total) * 100)}%`;
  const track = element('span', 'funnel-track', fill);
  track.setAttribute('aria-hidden', 'true');
  return element('span', 'funnel-count', element('span', 'funnel-number', String(count)), track);
}

export function renderFunnel(table: HTMLTableElement, grid: ClassGrid, steps: readonly ClassStep[], t: Translate): void {
  const total = grid.learners.length;
  const head = element('thead', '', element('tr', '', ...['doca.class.funnel.step', 'doca.class.funnel.reached', 'doca.class.funnel.passed'].map((key) => Object.assign(element('th', '', t(key as 'doca.class.funnel.step')), { scope: 'col' }))));
  const rows = funnel(grid, steps).map(({ step, reached, passed }, i) => {
    const labHeader = i === 0 || steps[i - 1].lab !== step.lab ? [element('span', 'funnel-lab', ...withCode(step.labTitle))] : [];
    const tr = element('tr', '', Object.assign(element('th', '', ...labHeader, element('span', 'funnel-step', ...withCode(stepName(step)))), { scope: 'row' }), element('td', '', bar(reached, total, 'reached')), element('td', '', bar(passed, total, 'passed')));
    tr.dataset.step = `${step.lab}/${step.step}`;
    return tr;
  });
  table.replaceChildren(...[...table.children].filter((child) => child.tagName === 'CAPTION'), head, element('tbody', '', ...rows));
}

export function renderReasons(container: HTMLElement, grid: ClassGrid, steps: readonly ClassStep[], locale: Locale, t: Translate): void {
  const byStep = frequentReasons(grid, steps);
  if (byStep.length === 0) {
    container.replaceChildren(element('p', 'reasons-none', t('doca.class.reasons.none')));
    return;
  }
  container.replaceChildren(
    ...byStep.map(({ step, reasons }) => {
      const list = element('ol', 'reasons-list', ...reasons.map((reason) => element('li', '', element('span', 'reason-text', ...withCode(reasonText(step, reason, locale))), ' ', element('span', 'reason-count', t('doca.class.reasons.count', { count: reason.learners })))));
      const section = element('section', 'reasons-step', element('h3', '', ...withCode(`${step.labTitle} — ${stepName(step)}`)), list);
      section.dataset.step = `${step.lab}/${step.step}`;
      return section;
    }),
  );
}
