// Where the class pages live in each language, and the links they hand out: the learners' join
// link (with the code) and the instructor's link (the class id and its secret in the fragment, so
// the secret never reaches a server log). The two languages name their pages differently, so the
// language switch and the sidebar take their twins from here.
import { classIDSchema, instructorSecretSchema, joinCodeSchema } from '../../protocol/classes.ts';
import type { Locale } from '../labs/checks/reasons.ts';

export const classPages = {
  new: { 'pt-BR': '/turmas/nova/', en: '/en/classes/new/' },
  join: { 'pt-BR': '/turmas/entrar/', en: '/en/classes/join/' },
  dashboard: { 'pt-BR': '/turmas/painel/', en: '/en/classes/dashboard/' },
} as const satisfies Record<string, Record<Locale, string>>;

export type ClassPage = keyof typeof classPages;

/** The join link's query parameter, in the page's language; either page reads both. */
export const joinCodeParam: Record<Locale, string> = { 'pt-BR': 'codigo', en: 'code' };

export function joinURL(origin: string, code: string, locale: Locale): string {
  return `${origin}${classPages.join[locale]}?${joinCodeParam[locale]}=${encodeURIComponent(code)}`;
}

export function instructorURL(origin: string, classID: string, secret: string, locale: Locale): string {
  return `${origin}${classPages.dashboard[locale]}#${classID}.${secret}`;
}

export interface InstructorKey {
  classID: string;
  secret: string;
}

/** The class and its secret from the dashboard's fragment (`#<id>.<secret>`); undefined when it holds neither. */
export function instructorKeyOf(hash: string): InstructorKey | undefined {
  const [id, secret, ...rest] = hash.replace(/^#/, '').split('.');
  if (rest.length > 0 || !classIDSchema.safeParse(id).success || !instructorSecretSchema.safeParse(secret).success) return undefined;
  return { classID: id, secret };
}

/** The join code a link carries (`?codigo=` or `?code=`), normalized; '' when it carries none that could be one. */
export function joinCodeOf(search: string): string {
  const params = new URLSearchParams(search);
  const code = params.get(joinCodeParam['pt-BR']) ?? params.get(joinCodeParam.en) ?? '';
  const parsed = joinCodeSchema.safeParse(code);
  return parsed.success ? parsed.data : '';
}

/** The same class page in another language (its path); undefined for a page that isn't one of them. */
export function classPageTwin(pathname: string, locale: Locale): string | undefined {
  const path = pathname.endsWith('/') ? pathname : `${pathname}/`;
  const page = (Object.keys(classPages) as ClassPage[]).find((name) => Object.values(classPages[name]).includes(path as never));
  return page && classPages[page][locale];
}

/** A Starlight locale key (`undefined` or 'root' for Portuguese) as the page language. */
export function localeOf(starlightLocale: string | undefined): Locale {
  return starlightLocale === 'en' ? 'en' : 'pt-BR';
}
