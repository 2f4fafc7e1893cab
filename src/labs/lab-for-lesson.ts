// Which lab sits beside a lesson page, from the page's route id (`arquitetura/fluxo`,
// `en/arquitetura/fluxo`), and the way back: a lab's lesson page in a locale.
import { labs, type LabDefinition } from './index.ts';

export function labForLesson(routeID: string, translatedLocales: readonly string[]): LabDefinition | undefined {
  const [first, ...rest] = routeID.split('/');
  const slug = translatedLocales.includes(first) ? rest.join('/') : routeID;
  return [...labs.values()].find((lab) => lab.lesson === slug);
}

/** The path of a lab's lesson in a locale: the root locale's (undefined) has no prefix. */
export function lessonPathOf(lab: Pick<LabDefinition, 'lesson'>, locale: string | undefined): string {
  return locale ? `/${locale}/${lab.lesson}/` : `/${lab.lesson}/`;
}
