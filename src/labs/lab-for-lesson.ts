// Which lab sits beside a lesson page, from the page's route id (`arquitetura/fluxo`,
// `en/arquitetura/fluxo`).
import { labs, type LabDefinition } from './index.ts';

export function labForLesson(routeID: string, translatedLocales: readonly string[]): LabDefinition | undefined {
  const [first, ...rest] = routeID.split('/');
  const slug = translatedLocales.includes(first) ? rest.join('/') : routeID;
  return [...labs.values()].find((lab) => lab.lesson === slug);
}
