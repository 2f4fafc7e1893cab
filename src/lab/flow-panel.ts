// The panel beside the terminals that draws, for the latest commands, the path each took: one row
// per entry, in the lane of whoever did it (client, daemon, registry), with the lesson's step number
// where a `docker run` has it. It redraws a command's flow as the agent sends it, newest first.
import type { CommandFlow } from '../../protocol/flow.ts';
import { flowLines } from './flow-text';
import type { formatter } from './lab-strings';

/** Commands drawn at once; older ones drop off the panel. */
const shownFlows = 3;

export class FlowPanel {
  readonly #root: HTMLElement;
  readonly #t: ReturnType<typeof formatter>;
  #flows: CommandFlow[] = [];

  constructor(root: HTMLElement, t: ReturnType<typeof formatter>) {
    this.#root = root;
    this.#t = t;
  }

  /** A new or grown flow (the agent sends the whole flow each time). */
  show(flow: CommandFlow): void {
    this.#flows = [...this.#flows.filter((each) => each.id !== flow.id), flow].sort((a, b) => b.id - a.id).slice(0, shownFlows);
    this.#root.replaceChildren(...this.#flows.map((each, index) => this.#draw(each, index === 0)));
  }

  /** A new session starts with an empty panel. */
  clear(): void {
    this.#flows = [];
    this.#root.replaceChildren();
  }

  #draw(flow: CommandFlow, latest: boolean): HTMLElement {
    const details = document.createElement('details');
    details.className = 'lab-flow';
    details.dataset.flow = String(flow.id);
    details.open = latest;
    const summary = document.createElement('summary');
    const command = document.createElement('code');
    command.textContent = this.#t('doca.lab.flowCommand', { command: flow.command, host: flow.host });
    summary.append(command);
    if (flow.exitCode === undefined) summary.append(` ${this.#t('doca.lab.flowRunning')}`);
    details.append(summary);
    // The lanes' names head the drawing; each entry names its lane for screen readers itself.
    const headings = document.createElement('div');
    headings.className = 'flow-lane-headings';
    headings.setAttribute('aria-hidden', 'true');
    for (const actor of ['client', 'daemon', 'registry'] as const) {
      const heading = document.createElement('span');
      heading.dataset.actor = actor;
      heading.textContent = this.#t(`doca.lab.flowActor.${actor}`);
      headings.append(heading);
    }
    details.append(headings);
    const lanes = document.createElement('ol');
    lanes.className = 'flow-lanes';
    for (const line of flowLines(flow, this.#t)) {
      const item = document.createElement('li');
      item.className = 'flow-entry';
      item.dataset.actor = line.actor;
      const who = document.createElement('span');
      who.className = 'flow-who';
      who.textContent = `${this.#t(`doca.lab.flowActor.${line.actor}`)}: `;
      item.append(who);
      if (line.lessonStep !== undefined) {
        const badge = document.createElement('span');
        badge.className = 'flow-step';
        badge.dataset.lessonStep = String(line.lessonStep);
        badge.title = this.#t('doca.lab.flowLessonStep', { step: line.lessonStep });
        badge.textContent = String(line.lessonStep);
        item.append(badge);
      }
      item.append(line.text);
      lanes.append(item);
    }
    if (flow.dropped > 0) {
      const more = document.createElement('li');
      more.className = 'flow-entry';
      more.dataset.actor = 'client';
      more.textContent = this.#t('doca.lab.flowDropped', { count: flow.dropped });
      lanes.append(more);
    }
    details.append(lanes);
    return details;
  }
}
