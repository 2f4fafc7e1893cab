// How a grid cell reads, in the page's language: its state, the time on the step (or the time it
// took), attempts and hints, and for the step the learner is on, the last reason a check gave.
import type { GridCell } from '../../protocol/classes.ts';
import type { Locale } from '../labs/checks/reasons.ts';
import { reasonText, type ClassStep } from './class-steps';
import type { Translate } from './class-strings';

/** 45 s → "< 1 min", 12 min, 1 h 05 min: an instructor reads minutes, not seconds. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return '< 1 min';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export interface CellView {
  state: GridCell['state'];
  /** What the cell shows, one short line each. */
  lines: string[];
  /** Why the step is not done yet (its `code` parts in backticks), for the step the learner is on. */
  reason?: string;
  /** Everything the cell says, as one sentence-like label for screen readers and tooltips. */
  label: string;
}

export function cellView(cell: GridCell | undefined, step: ClassStep, now: number, locale: Locale, t: Translate): CellView {
  const state = cell?.state ?? 'not-started';
  const lines = [t(`doca.class.cell.${state}`)];
  if (cell && state === 'working' && cell.since) lines.push(t('doca.class.cell.time', { time: formatDuration(now - Date.parse(cell.since)) }));
  if (cell && state === 'done' && cell.since && cell.passedAt) lines.push(t('doca.class.cell.took', { time: formatDuration(Date.parse(cell.passedAt) - Date.parse(cell.since)) }));
  if (cell && cell.attempts > 0) lines.push(t('doca.class.cell.attempts', { count: cell.attempts }));
  if (cell && cell.hintsUsed > 0) lines.push(t('doca.class.cell.hints', { count: cell.hintsUsed }));
  const reason = cell?.lastReason && state === 'working' ? reasonText(step, cell.lastReason, locale) : undefined;
  const label = [`${step.labTitle}, ${step.number}. ${step.title}`, ...lines, ...(reason ? [reason] : [])].join('; ').replaceAll('`', '');
  return { state, lines, ...(reason ? { reason } : {}), label };
}
