// Starlight route middleware: the sidebar's class links point at the class pages of the page's
// language, and stay out of the lessons' previous/next links (src/classes/sidebar-links.ts).
import { defineRouteMiddleware } from '@astrojs/starlight/route-data';
import { localeOf } from './class-pages';
import { keepClassPagesOutOfPagination, pointClassLinks, type SidebarEntry } from './sidebar-links';

export const onRequest = defineRouteMiddleware((context) => {
  const route = context.locals.starlightRoute;
  const locale = localeOf(route.locale);
  pointClassLinks(route.sidebar as SidebarEntry[], locale, context.url.pathname);
  keepClassPagesOutOfPagination(route.pagination, locale, context.url.pathname);
});
