// The instructor's dashboard: reads the class and its secret from the link's fragment, opens the
// class's push channel, loads the grid, and keeps the grid, the funnel and the reasons current as
// messages arrive (no reload). Actions, exports, a learner's timeline and help mode hang off it.
import { classGridSchema, type ClassGrid, type ClassLearner, type ClassLiveMessage } from '../../../protocol/classes.ts';
import type { Locale } from '../../labs/checks/reasons.ts';
import { ClassAPIError, callJSON } from '../class-api';
import { currentCell, sortLearners } from '../class-insights';
import { classPages, instructorKeyOf, joinURL, type InstructorKey } from '../class-pages';
import { classSteps, hostsOf, type ClassStep } from '../class-steps';
import { embeddedStrings, learnerName, type Translate } from '../class-strings';
import { applyLive } from '../grid-state';
import { ClassActions } from './class-actions';
import { ClassChannel, type ChannelState } from './class-channel';
import { GridTable } from './grid-table';
import { HelpView } from './help-view';
import { renderFunnel, renderReasons } from './insights-view';
import { TimelineView } from './timeline-view';

/** Time on a step and who is stuck change with the clock alone: the grid is redrawn this often. */
const clockTickMs = 15_000;

export class DashboardPage {
  readonly #root: HTMLElement;
  readonly #t: Translate;
  readonly #locale: Locale;
  readonly #key: InstructorKey;
  readonly #$: <T extends HTMLElement>(role: string) => T;
  #grid: ClassGrid | undefined;
  #steps: ClassStep[] = [];
  /** Messages that arrived while the grid was (re)loading: applied once it is in. */
  #held: ClassLiveMessage[] | undefined;
  #frame = 0;
  #table: GridTable;
  #timeline: TimelineView;
  #help: HelpView;
  #channel: ClassChannel;
  readonly actions: ClassActions;

  static start(root: HTMLElement): DashboardPage | undefined {
    const t = embeddedStrings(root);
    const key = instructorKeyOf(location.hash);
    if (!key) {
      root.querySelector('[data-role="status"]')!.textContent = t('doca.class.dashboard.noKey');
      return undefined;
    }
    return new DashboardPage(root, t, key);
  }

  private constructor(root: HTMLElement, t: Translate, key: InstructorKey) {
    this.#root = root;
    this.#t = t;
    this.#key = key;
    this.#locale = document.documentElement.lang === 'pt-BR' ? 'pt-BR' : 'en';
    this.#$ = <T extends HTMLElement>(role: string) => root.querySelector<T>(`[data-role="${role}"]`)!;
    this.#setStatus(t('doca.class.dashboard.loading'));
    this.#table = new GridTable(this.#$('grid'), t, this.#locale, {
      timeline: (learner, opener) => void this.#timeline.open(learner, opener),
      extend: (learner) => void this.actions.extend(learner.id),
      watch: (learner, opener) => void this.#help.open(learner, this.#hostsFor(learner), opener),
    });
    this.#timeline = new TimelineView(this.#$('timeline'), t, this.#locale, key.classID, key.secret);
    this.#help = new HelpView(this.#$('help'), t, key.classID, key.secret);
    this.actions = new ClassActions(root, t, this.#locale, key, {
      className: () => this.#grid?.class.name ?? '',
      ended: (summary) => this.#receive({ type: 'class', class: summary }),
      deleted: () => this.#deleted(),
    });
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#channel = new ClassChannel(`${protocol}//${location.host}/api/classes/${key.classID}/live`, key.secret, {
      onOpen: () => void this.#load(),
      onMessage: (message) => this.#receive(message),
      onState: (state) => this.#connection(state),
      onRefused: () => void this.#load(),
      onDeleted: () => this.#deleted(),
    });
    this.#channel.connect();
    setInterval(() => this.#render(), clockTickMs);
  }

  /** Loads the grid (at each connection); what the channel said meanwhile is applied after it. */
  async #load(): Promise<void> {
    this.#held = [];
    try {
      const grid = await callJSON(`/api/classes/${this.#key.classID}`, (json) => classGridSchema.parse(json), { secret: this.#key.secret });
      const held = this.#held ?? [];
      this.#held = undefined;
      this.#show(grid);
      for (const message of held) this.#receive(message);
    } catch (error) {
      this.#held = undefined;
      if (error instanceof ClassAPIError && error.code === 'unauthorized') {
        this.#channel.dispose();
        this.#setStatus(this.#t('doca.class.dashboard.unauthorized'));
        this.#$('board').hidden = true;
      } else if (!this.#grid) this.#setStatus(this.#t('doca.class.error', { message: (error as Error).message }));
    }
  }

  #show(grid: ClassGrid): void {
    const labsChanged = this.#grid?.class.labs.join() !== grid.class.labs.join();
    this.#grid = grid;
    if (labsChanged) {
      this.#steps = classSteps(grid.class.labs, this.#locale);
      this.#table.setSteps(this.#steps);
      this.#timeline.steps = this.#steps;
    }
    this.#setStatus('');
    this.#$('board').hidden = false;
    this.#render();
  }

  #receive(message: ClassLiveMessage): void {
    if (this.#held) return void this.#held.push(message);
    if (!this.#grid) return;
    const before = this.#grid;
    this.#grid = applyLive(before, message);
    if (message.type === 'help' && message.requested && !before.learners.find((l) => l.id === message.learner)?.helpRequested) {
      const learner = this.#grid.learners.find((l) => l.id === message.learner);
      if (learner) this.#announce(this.#t('doca.class.announce.help', { name: learnerName(learner, this.#t) }));
    }
    if (message.type === 'learner' && !before.learners.some((l) => l.id === message.learner.id)) {
      this.#announce(this.#t('doca.class.announce.joined', { name: learnerName({ ...message.learner }, this.#t) }));
    }
    if ((message.type === 'help' && !message.requested) || message.type === 'removed') this.#help.helpEnded(message.learner);
    if (message.type === 'cells' || message.type === 'help') this.#timeline.changed(message.learner);
    // A burst of changes is drawn once.
    cancelAnimationFrame(this.#frame);
    this.#frame = requestAnimationFrame(() => this.#render());
  }

  #render(): void {
    const grid = this.#grid;
    if (!grid) return;
    const now = Date.now();
    const state = this.#t(`doca.class.state.${grid.class.state}`);
    this.#$('class-heading').textContent = this.#t('doca.class.dashboard.heading', { name: grid.class.name, state });
    this.#root.dataset.classState = grid.class.state;
    const code = grid.joinCode;
    const joinWith = this.#$('join-with');
    joinWith.hidden = !code || grid.class.state === 'ended';
    if (code) joinWith.textContent = this.#t('doca.class.dashboard.joinWith', { url: `${location.host}${classPages.join[this.#locale]}`, code });
    this.#$('join-with').dataset.url = code ? joinURL(location.origin, code, this.#locale) : '';
    this.#$('counts').textContent = this.#t('doca.class.dashboard.learners', { count: grid.learners.length, active: grid.learners.filter((l) => l.active).length });
    this.#$('grid-empty').hidden = grid.learners.length > 0;
    this.#table.render(sortLearners(grid.learners, now), now);
    renderFunnel(this.#$('funnel'), grid, this.#steps, this.#t);
    renderReasons(this.#$('reasons'), grid, this.#steps, this.#locale, this.#t);
    this.actions.classState(grid.class.state);
  }

  /** Help mode opens a tab per host of the lab the learner is on (the most any of the class's labs has, if none). */
  #hostsFor(learner: ClassLearner): number {
    const lab = currentCell(learner)?.lab;
    return lab ? hostsOf(lab) : Math.max(1, ...(this.#grid?.class.labs ?? []).map((id) => hostsOf(id)));
  }

  #connection(state: ChannelState): void {
    const text = state === 'live' ? this.#t('doca.class.dashboard.live') : state === 'lost' ? this.#t('doca.class.dashboard.reconnecting') : '';
    const badge = this.#$('connection');
    badge.textContent = text;
    badge.dataset.state = state;
  }

  #deleted(): void {
    this.#channel.dispose();
    this.#help.close();
    this.#$('board').hidden = true;
    this.#setStatus(this.#t('doca.class.dashboard.deleted'));
  }

  #announce(text: string): void {
    this.#$('announce').textContent = text;
  }

  #setStatus(text: string): void {
    const status = this.#$('status');
    status.textContent = text;
    status.hidden = text === '';
  }
}
