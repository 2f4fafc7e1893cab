// The site's locales, shared by the Starlight config and the lesson checks.
// Portuguese (pt-BR) is the root locale; every other locale lives under its own path prefix.
export const rootLocale = { label: 'Português', lang: 'pt-BR' } as const;

export const translatedLocales = {
  en: { label: 'English', lang: 'en' },
} as const;

export type TranslatedLocale = keyof typeof translatedLocales;

export const starlightLocales = { root: rootLocale, ...translatedLocales };
