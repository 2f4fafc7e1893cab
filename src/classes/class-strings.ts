// The class pages' UI strings in the page's language, as each page embeds them (a JSON script in
// the page), with {{placeholders}} filled.
import type { UIStringKey } from '../i18n/ui-strings';

export type ClassStringKey = Extract<UIStringKey, `doca.class.${string}`>;
export type ClassStrings = Record<ClassStringKey, string>;
export type Translate = (key: ClassStringKey, values?: Record<string, string | number>) => string;

export function classFormatter(strings: ClassStrings): Translate {
  return (key, values = {}) => (strings[key] ?? key).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** The strings a page embedded with `<script type="application/json" data-role="strings">`. */
export function embeddedStrings(root: ParentNode): Translate {
  return classFormatter(JSON.parse(root.querySelector('script[data-role="strings"]')!.textContent!) as ClassStrings);
}

/** How the page names a learner: the name they typed, or their number in the class. */
export function learnerName(learner: { displayName: string | null; number: number }, t: Translate): string {
  return learner.displayName ?? t('doca.class.pseudonym', { number: learner.number });
}
