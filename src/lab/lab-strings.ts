// The lab's UI strings in the page's language, as the page embeds them, with {{placeholders}} filled.
import type { UIStringKey } from '../i18n/ui-strings';

export type LabStringKey = Extract<UIStringKey, `doca.lab.${string}`>;
export type LabStrings = Record<LabStringKey, string>;

export function formatter(strings: LabStrings) {
  return (key: LabStringKey, values: Record<string, string | number> = {}) =>
    strings[key].replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** 1:59:03, 4:05 — hours only when there are some. */
export function formatTimeLeft(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
