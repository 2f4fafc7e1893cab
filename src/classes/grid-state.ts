// The instructor's grid as the page holds it: loaded once, then changed by each message of the
// class's push channel. Pure: each message gives a new grid, so the page re-renders from it.
import type { ClassGrid, ClassLearner, ClassLiveMessage, GridCell } from '../../protocol/classes.ts';
import { stepKey } from './class-steps';

/** Cells of one learner with `changed` put in place of the ones they replace (by lab and step). */
export function mergeCells(cells: readonly GridCell[], changed: readonly GridCell[]): GridCell[] {
  const byKey = new Map(cells.map((cell) => [stepKey(cell), cell]));
  for (const cell of changed) byKey.set(stepKey(cell), cell);
  return [...byKey.values()];
}

export function applyLive(grid: ClassGrid, message: ClassLiveMessage): ClassGrid {
  const update = (id: string, change: (learner: ClassLearner) => ClassLearner): ClassGrid => ({
    ...grid,
    learners: grid.learners.map((learner) => (learner.id === id ? change(learner) : learner)),
  });
  switch (message.type) {
    case 'learner': {
      const known = grid.learners.some((learner) => learner.id === message.learner.id);
      if (known) return update(message.learner.id, (learner) => ({ ...learner, ...message.learner }));
      return { ...grid, learners: [...grid.learners, { ...message.learner, cells: [] }] };
    }
    case 'cells':
      return update(message.learner, (learner) => ({ ...learner, cells: mergeCells(learner.cells, message.cells), active: message.active ?? learner.active }));
    case 'help':
      return update(message.learner, (learner) => ({ ...learner, helpRequested: message.requested }));
    case 'class':
      return { ...grid, class: message.class };
    case 'removed':
      return { ...grid, learners: grid.learners.filter((learner) => learner.id !== message.learner) };
  }
}
