// Starlight route middleware: the sidebar's class links point at the class pages of the page's
// language (src/classes/sidebar-links.ts).
import { defineRouteMiddleware } from '@astrojs/starlight/route-data';
import { localeOf } from './class-pages';
import { pointClassLinks, type SidebarEntry } from './sidebar-links';

export const onRequest = defineRouteMiddleware((context) => {
  const route = context.locals.starlightRoute;
  pointClassLinks(route.sidebar as SidebarEntry[], localeOf(route.locale), context.url.pathname);
});
