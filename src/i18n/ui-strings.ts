// The UI strings every locale must provide: the site's own (doca.*), and those of the search box
// (pagefind.*) and code blocks (expressiveCode.*), which otherwise fall back to another locale's text.
// All are required, so a locale file missing one fails the build.
import { z } from 'astro/zod';

export const uiStringKeys = [
  'doca.lessons.listLabel',
  'doca.lessons.position',
  'doca.diagram.title',
  'doca.diagram.description',
  'doca.diagram.caption',
  'doca.diagram.client',
  'doca.diagram.host',
  'doca.diagram.daemon',
  'doca.diagram.images',
  'doca.diagram.containers',
  'doca.diagram.networks',
  'doca.diagram.volumes',
  'doca.diagram.registry',
  'doca.diagram.api',
  'doca.diagram.transport',
  'doca.diagram.pull',
  'doca.diagram.push',
  'doca.lab.label',
  'doca.lab.intro',
  'doca.lab.noscript',
  'doca.lab.start',
  'doca.lab.starting',
  'doca.lab.queued',
  'doca.lab.connecting',
  'doca.lab.connected',
  'doca.lab.disconnected',
  'doca.lab.replaced',
  'doca.lab.timeLeft',
  'doca.lab.extend',
  'doca.lab.end',
  'doca.lab.ended.deleted',
  'doca.lab.ended.expired',
  'doca.lab.ended.lost',
  'doca.lab.startAgain',
  'doca.lab.error',
  'doca.lab.hosts',
  'doca.lab.run',
  'doca.lab.screenReader',
  'doca.lab.clipboard',
  'doca.lab.daemonRestarting',
  'doca.lab.daemonRunning',
  'doca.lab.daemonFailed',
  'doca.lab.steps',
  'doca.lab.stepPending',
  'pagefind.clear_search',
  'pagefind.load_more',
  'pagefind.search_label',
  'pagefind.filters_label',
  'pagefind.zero_results',
  'pagefind.many_results',
  'pagefind.one_result',
  'pagefind.alt_search',
  'pagefind.search_suggestion',
  'pagefind.searching',
  'expressiveCode.terminalWindowFallbackTitle',
  'expressiveCode.copyButtonTooltip',
  'expressiveCode.copyButtonCopied',
] as const;

export type UIStringKey = (typeof uiStringKeys)[number];

export const uiStringsSchema = z.object(
  Object.fromEntries(uiStringKeys.map((key) => [key, z.string().trim().min(1)])) as Record<
    UIStringKey,
    z.ZodString
  >,
);
