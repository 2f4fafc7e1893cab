// Picks and orders one locale's lessons for the landing page's list.
export interface LessonEntryLike {
  id: string;
  data: { title: string; description?: string; sidebar: { order?: number } };
}

export interface LessonLink {
  href: string;
  title: string;
  description: string;
  position: number;
}

/**
 * Lessons of one locale (undefined = root locale), without landing pages, in sidebar order.
 * `position` counts from 1 in reading order.
 */
export function lessonsForLocale(
  entries: readonly LessonEntryLike[],
  locale: string | undefined,
  translatedLocales: readonly string[],
): LessonLink[] {
  const inLocale = (id: string) => {
    const [prefix] = id.split('/');
    return locale ? prefix === locale : !translatedLocales.includes(prefix);
  };
  const isLanding = (id: string) => id === 'index' || id.endsWith('/index') || id === locale;
  return entries
    .filter((entry) => inLocale(entry.id) && !isLanding(entry.id))
    .sort(
      (a, b) =>
        (a.data.sidebar.order ?? Number.MAX_SAFE_INTEGER) - (b.data.sidebar.order ?? Number.MAX_SAFE_INTEGER) ||
        a.id.localeCompare(b.id),
    )
    .map((entry, index) => ({
      href: `/${entry.id}/`,
      title: entry.data.title,
      description: entry.data.description ?? '',
      position: index + 1,
    }));
}
