// The class's results to take away: one row per learner per step of the class's labs (first pass,
// attempts, hints, last reason), as JSON (the reason as its code and values) or as CSV for a
// spreadsheet (the reason worded in the language asked, learners without a name named by number).
import { exportColumns, type ClassExport, type ClassGrid } from '../../protocol/classes.ts';
import { fillMessage, type Locale } from '../../src/labs/checks/reasons.ts';
import { reasonMessage } from '../../src/labs/lab-definition.ts';
import { labs as catalog } from '../../src/labs/index.ts';

/** How a learner without a name is called, by their number. */
export const pseudonym: Record<Locale, (number: number) => string> = {
  'pt-BR': (number) => `Aprendiz ${number}`,
  en: (number) => `Learner ${number}`,
};

export function exportRows(grid: ClassGrid): ClassExport['rows'] {
  const steps = grid.class.labs.flatMap((lab) => catalog.get(lab)?.steps.map((step) => ({ lab, step: step.id })) ?? []);
  return grid.learners.flatMap((learner) =>
    steps.map(({ lab, step }) => {
      const cell = learner.cells.find((c) => c.lab === lab && c.step === step);
      return {
        learner: learner.id,
        number: learner.number,
        displayName: learner.displayName,
        lab,
        step,
        state: cell?.state ?? 'not-started',
        firstPassedAt: cell?.passedAt ?? null,
        attempts: cell?.attempts ?? 0,
        hintsUsed: cell?.hintsUsed ?? 0,
        lastReason: cell?.lastReason ?? null,
      };
    }),
  );
}

/**
 * A CSV field: quoted when it must be, and text a spreadsheet would run as a formula (a learner's
 * name starting with "=") made inert with a leading apostrophe.
 */
function field(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function exportCSV(rows: ClassExport['rows'], locale: Locale): string {
  const line = (row: ClassExport['rows'][number]) => {
    const step = catalog.get(row.lab)?.steps.find((s) => s.id === row.step);
    const template = row.lastReason && step ? reasonMessage(step, row.lastReason.code, locale) : undefined;
    const reason = row.lastReason ? (template ? fillMessage(template, row.lastReason.values) : row.lastReason.code) : null;
    const values: Record<(typeof exportColumns)[number], string | number | null> = {
      ...row,
      displayName: row.displayName ?? pseudonym[locale](row.number),
      lastReason: reason,
    };
    return exportColumns.map((column) => field(values[column])).join(',');
  };
  return [exportColumns.join(','), ...rows.map(line)].join('\r\n') + '\r\n';
}
