// The sidebar's links to the class pages: Starlight prefixes a link with the page's locale
// (`/en/turmas/nova/`), but the English class pages have English paths. Run as Starlight route
// middleware (src/classes/route-data.ts), this points each link at its twin and marks the current page.
import type { Locale } from '../labs/checks/reasons.ts';
import { classPageTwin } from './class-pages';

/** The part of Starlight's sidebar entries this touches. */
export type SidebarEntry = { type: 'link'; href: string; isCurrent: boolean; attrs: Record<string, unknown> } | { type: 'group'; entries: SidebarEntry[] };

export function pointClassLinks(entries: SidebarEntry[], locale: Locale, pathname: string): void {
  const current = pathname.endsWith('/') ? pathname : `${pathname}/`;
  for (const entry of entries) {
    if (entry.type === 'group') {
      pointClassLinks(entry.entries, locale, pathname);
      continue;
    }
    const unprefixed = locale === 'en' ? entry.href.replace(/^\/en\//, '/') : entry.href;
    const twin = classPageTwin(unprefixed, locale);
    if (!twin) continue;
    entry.href = twin;
    entry.isCurrent = twin === current;
    if (entry.isCurrent) entry.attrs['aria-current'] = 'page';
  }
}
