// The names of the files an instructor downloads: the class's name made safe for a file system,
// the day, and what the file holds, in the page's language (turma-oficina-2026-12-05.csv).
import type { Locale } from '../labs/checks/reasons.ts';

export type Download = 'csv' | 'json' | 'events';

const words: Record<Locale, { class: string; events: string }> = {
  'pt-BR': { class: 'turma', events: 'eventos' },
  en: { class: 'class', events: 'events' },
};

/** Lower case ASCII letters, digits and dashes: "Oficina de Sábado!" → "oficina-de-sabado". */
export function fileSlug(text: string, maxLength = 40): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '');
}

export function downloadName(className: string, kind: Download, locale: Locale, at: Date): string {
  const day = at.toISOString().slice(0, 10);
  const name = fileSlug(className);
  const parts = [words[locale].class, ...(name ? [name] : []), ...(kind === 'events' ? [words[locale].events] : []), day];
  return `${parts.join('-')}.${kind === 'csv' ? 'csv' : 'json'}`;
}

/** The export route of each download (the CSV words its reasons in the page's language). */
export function downloadPath(classID: string, kind: Download, locale: Locale): string {
  const base = `/api/classes/${classID}`;
  if (kind === 'csv') return `${base}/export.csv?lang=${locale}`;
  return kind === 'json' ? `${base}/export.json` : `${base}/events.json`;
}
