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
      customCss: ['./src/styles/doca.css', './src/styles/lab.css', './src/styles/classes.css'],
      components: {
        // Lessons with a lab show it beside the text.
        TwoColumnContent: './src/components/overrides/TwoColumnContent.astro',
        // The class pages' twins have other paths in each language.
        LanguageSelect: './src/components/overrides/LanguageSelect.astro',
      },
      routeMiddleware: './src/classes/route-data.ts',
      defaultLocale: 'root',
      locales: starlightLocales,
      sidebar: [
        { slug: 'index' },
        {
          label: 'Arquitetura do Docker',
          translations: { en: 'Docker architecture' },
          items: [{ autogenerate: { directory: 'arquitetura' } }],
        },
        {
          // Pages of their own (src/pages/); on English pages they lead to /en/classes/… (src/classes/route-data.ts).
          label: 'Turmas',
          translations: { en: 'Classes' },
          items: [
            { label: 'Criar uma turma', translations: { en: 'Create a class' }, link: '/turmas/nova/' },
            { label: 'Entrar numa turma', translations: { en: 'Join a class' }, link: '/turmas/entrar/' },
          ],
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
