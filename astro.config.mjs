// @ts-check
// The Doca site: Starlight renders the bilingual guide; the lesson checks run before every build.
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { lessonChecks } from './src/lessons/integration';
import { starlightLocales, translatedLocales } from './src/i18n/locales';

export default defineConfig({
  site: 'https://doca.dev',
  integrations: [
    lessonChecks({ docsDir: 'src/content/docs', translatedLocales: Object.keys(translatedLocales) }),
    starlight({
      title: 'Doca',
      description: 'Aprenda como o Docker funciona de verdade. / Learn how Docker really works.',
      defaultLocale: 'root',
      locales: starlightLocales,
      sidebar: [
        { slug: 'index' },
        {
          label: 'Arquitetura do Docker',
          translations: { en: 'Docker architecture' },
          items: [{ autogenerate: { directory: 'arquitetura' } }],
        },
      ],
    }),
  ],
});
