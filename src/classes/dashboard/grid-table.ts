// The live grid as a real table: a column per step (grouped by lab), a row per learner with their
// name, what needs the instructor (help asked, stuck) and their actions as the row's header. Rows
// are kept per learner and updated in place, so a live change never takes the keyboard focus away.
import type { ClassLearner } from '../../../protocol/classes.ts';
import type { Locale } from '../../labs/checks/reasons.ts';
import { cellView, formatDuration } from '../cell-format';
import { stuckOf } from '../class-insights';
import { stepKey, type ClassStep } from '../class-steps';
import { learnerName, type Translate } from '../class-strings';
import { element, withCode } from '../dom-text';

export interface RowActions {
  timeline: (learner: ClassLearner, opener: HTMLElement) => void;
  extend: (learner: ClassLearner) => void;
  watch: (learner: ClassLearner, opener: HTMLElement) => void;
}

interface Row {
  tr: HTMLTableRowElement;
  name: HTMLElement;
  badges: HTMLElement;
  buttons: { timeline: HTMLButtonElement; extend: HTMLButtonElement; watch: HTMLButtonElement };
  learner: ClassLearner;
}

export class GridTable {
  readonly #table: HTMLTableElement;
  readonly #t: Translate;
  readonly #locale: Locale;
  readonly #actions: RowActions;
  #steps: ClassStep[] = [];
  readonly #rows = new Map<string, Row>();

  constructor(table: HTMLTableElement, t: Translate, locale: Locale, actions: RowActions) {
    this.#table = table;
    this.#t = t;
    this.#locale = locale;
    this.#actions = actions;
  }

  /** The columns: a group per lab, a column per step (its number shown, its title for screen readers and on hover). */
  setSteps(steps: ClassStep[]): void {
    this.#steps = steps;
    const labs = [...new Map(steps.map((step) => [step.lab, steps.filter((s) => s.lab === step.lab)])).values()];
    this.#table.querySelectorAll('colgroup, thead').forEach((node) => node.remove());
    const colgroups = [element('colgroup', ''), ...labs.map((group) => Object.assign(element('colgroup', ''), { span: group.length }))];
    const labRow = element('tr', '', Object.assign(element('th', 'grid-learner-head', this.#t('doca.class.grid.learner')), { scope: 'col', rowSpan: 2 }));
    const stepRow = element('tr', '');
    for (const group of labs) {
      labRow.append(Object.assign(element('th', 'grid-lab', ...withCode(group[0].labTitle)), { scope: 'colgroup', colSpan: group.length }));
      for (const step of group) {
        const header = element('th', 'grid-step', element('span', 'sr-only', `${step.number}. ${step.title.replaceAll('`', '')}`));
        const number = element('span', '', String(step.number));
        number.setAttribute('aria-hidden', 'true');
        header.append(number);
        Object.assign(header, { scope: 'col', title: `${step.number}. ${step.title.replaceAll('`', '')}` });
        header.dataset.step = stepKey(step);
        stepRow.append(header);
      }
    }
    this.#table.querySelector('caption')!.after(...colgroups, element('thead', '', labRow, stepRow));
    for (const row of this.#rows.values()) row.tr.remove();
    this.#rows.clear();
  }

  /** Shows the learners in this order; rows of learners no longer given go. */
  render(learners: readonly ClassLearner[], now: number): void {
    const focused = document.activeElement instanceof HTMLElement && this.#table.contains(document.activeElement) ? document.activeElement : undefined;
    const body = this.#table.tBodies[0] ?? this.#table.appendChild(document.createElement('tbody'));
    const ids = new Set(learners.map((learner) => learner.id));
    for (const [id, row] of this.#rows) {
      if (ids.has(id)) continue;
      row.tr.remove();
      this.#rows.delete(id);
    }
    const rows = learners.map((learner) => this.#update(learner, now));
    // Rows move only when the order changed: moving the focused one would drop the focus.
    const inPlace = rows.every((row, i) => body.rows[i] === row.tr) && body.rows.length === rows.length;
    if (!inPlace) body.append(...rows.map((row) => row.tr));
    if (focused && focused.isConnected && document.activeElement !== focused) focused.focus();
  }

  #update(learner: ClassLearner, now: number): Row {
    const row = this.#rows.get(learner.id) ?? this.#newRow(learner);
    row.learner = learner;
    const name = learnerName(learner, this.#t);
    row.name.textContent = name;
    const stuck = stuckOf(learner, now);
    const badges: HTMLElement[] = [];
    if (learner.helpRequested) badges.push(element('span', 'badge badge-help', this.#t('doca.class.learner.help')));
    if (stuck) badges.push(element('span', 'badge badge-stuck', stuck.why === 'failures' ? this.#t('doca.class.learner.stuckFailures', { count: stuck.attempts }) : this.#t('doca.class.learner.stuckLong', { time: formatDuration(stuck.ms) })));
    if (!learner.active) badges.push(element('span', 'badge badge-inactive', this.#t('doca.class.learner.inactive')));
    row.badges.replaceChildren(...badges);
    row.tr.dataset.help = String(learner.helpRequested);
    row.tr.dataset.stuck = String(Boolean(stuck));
    row.tr.dataset.active = String(learner.active);
    const label = (action: string) => this.#t('doca.class.learner.actionsOf', { action, name });
    row.buttons.timeline.setAttribute('aria-label', label(this.#t('doca.class.learner.timeline')));
    row.buttons.extend.setAttribute('aria-label', label(this.#t('doca.class.learner.extend')));
    row.buttons.extend.hidden = !learner.active;
    row.buttons.watch.setAttribute('aria-label', label(this.#t('doca.class.learner.watch')));
    row.buttons.watch.hidden = !learner.helpRequested;
    const cells = new Map(learner.cells.map((cell) => [stepKey(cell), cell]));
    this.#steps.forEach((step, i) => {
      const td = row.tr.cells[i + 1];
      const view = cellView(cells.get(stepKey(step)), step, now, this.#locale, this.#t);
      const content = [element('span', 'cell-state', view.lines[0]), ...view.lines.slice(1).map((line) => element('span', 'cell-line', line))];
      if (view.reason) content.push(element('span', 'cell-reason', ...withCode(view.reason)));
      td.replaceChildren(...content);
      td.dataset.state = view.state;
      td.title = view.label;
    });
    return row;
  }

  #newRow(learner: ClassLearner): Row {
    const button = (text: string, className: string, action: (learner: ClassLearner, opener: HTMLElement) => void) => {
      const node = element('button', `class-button small ${className}`, text);
      node.type = 'button';
      node.addEventListener('click', () => action(row.learner, node));
      return node;
    };
    const buttons = {
      timeline: button(this.#t('doca.class.learner.timeline'), '', this.#actions.timeline),
      extend: button(this.#t('doca.class.learner.extend'), '', (l) => this.#actions.extend(l)),
      watch: button(this.#t('doca.class.learner.watch'), 'primary', this.#actions.watch),
    };
    const name = element('span', 'learner-name');
    const badges = element('span', 'learner-badges');
    const header = Object.assign(element('th', 'grid-learner', name, badges, element('span', 'learner-actions', buttons.watch, buttons.timeline, buttons.extend)), { scope: 'row' });
    const tr = element('tr', '', header, ...this.#steps.map(() => element('td', 'grid-cell')));
    this.#steps.forEach((step, i) => (tr.cells[i + 1].dataset.step = stepKey(step)));
    tr.dataset.learner = learner.id;
    const row: Row = { tr, name, badges, buttons, learner };
    this.#rows.set(learner.id, row);
    return row;
  }
}
