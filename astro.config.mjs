// @ts-check
// The Doca site: Starlight renders the bilingual guide; the lesson checks run before every build.
import { fileURLToPath } from 'node:url';
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
      customCss: ['./src/styles/doca.css', './src/styles/lab.css'],
      components: {
        // Lessons with a lab show it beside the text.
        TwoColumnContent: './src/components/overrides/TwoColumnContent.astro',
      },
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
  vite: {
    resolve: {
      alias: [{ find: /^@pagefind\/default-ui$/, replacement: fileURLToPath(new URL('./src/search/pagefind-ui-on-open.ts', import.meta.url)) }],
    },
    build: {
      rolldownOptions: {
        onwarn(warning, warn) {
          // Astro marks MDX modules with a "use astro:head-inject" directive that the bundler may
          // drop; Astro does not rely on it surviving bundling (withastro/astro#18087).
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('astro:head-inject')) return;
          warn(warning);
        },
      },
    },
  },
});
