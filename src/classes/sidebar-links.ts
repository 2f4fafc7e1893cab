// The sidebar's links to the class pages: Starlight prefixes a link with the page's locale
// (`/en/turmas/nova/`), but the English class pages have English paths. Run as Starlight route
// middleware (src/classes/route-data.ts), this points each link at its twin and marks the current
// page; and the class pages stay out of the lessons' previous/next sequence.
import type { Locale } from '../labs/checks/reasons.ts';
import { classPageTwin } from './class-pages';

/** The part of Starlight's sidebar entries this touches. */
export type SidebarEntry = { type: 'link'; href: string; isCurrent: boolean; attrs: Record<string, unknown> } | { type: 'group'; entries: SidebarEntry[] };

/** A sidebar link's class page, whichever language's path it has; undefined for any other link. */
function classPageOf(href: string, locale: Locale): string | undefined {
  return classPageTwin(locale === 'en' ? href.replace(/^\/en\//, '/') : href, locale) ?? classPageTwin(href, locale);
}

export function pointClassLinks(entries: SidebarEntry[], locale: Locale, pathname: string): void {
  const current = pathname.endsWith('/') ? pathname : `${pathname}/`;
  for (const entry of entries) {
    if (entry.type === 'group') {
      pointClassLinks(entry.entries, locale, pathname);
      continue;
    }
    const twin = classPageOf(entry.href, locale);
    if (!twin) continue;
    entry.href = twin;
    entry.isCurrent = twin === current;
    if (entry.isCurrent) entry.attrs['aria-current'] = 'page';
  }
}

export interface Pagination {
  prev?: { href: string } | undefined;
  next?: { href: string } | undefined;
}

/** The last lesson leads to no class page, and a class page to no lesson: they are not a reading sequence. */
export function keepClassPagesOutOfPagination(pagination: Pagination, locale: Locale, pathname: string): void {
  if (classPageTwin(pathname, locale)) {
    pagination.prev = undefined;
    pagination.next = undefined;
    return;
  }
  if (pagination.prev && classPageOf(pagination.prev.href, locale)) pagination.prev = undefined;
  if (pagination.next && classPageOf(pagination.next.href, locale)) pagination.next = undefined;
}
