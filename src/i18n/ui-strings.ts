// The site's own UI strings: every key is required, so a locale file missing one fails the build.
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
] as const;

export type UIStringKey = (typeof uiStringKeys)[number];

export const uiStringsSchema = z.object(
  Object.fromEntries(uiStringKeys.map((key) => [key, z.string().trim().min(1)])) as Record<
    UIStringKey,
    z.ZodString
  >,
);
