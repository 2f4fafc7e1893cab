import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { starlightLocales } from './locales';
import { uiStringKeys, uiStringsSchema } from './ui-strings';

const i18nDir = new URL('../content/i18n/', import.meta.url);
const langs = Object.values(starlightLocales).map((locale) => locale.lang);
const strings = (lang: string): Record<string, string> => JSON.parse(readFileSync(new URL(`${lang}.json`, i18nDir), 'utf8'));

describe('UI strings', () => {
  it('have one file per locale and no other', () => {
    expect(readdirSync(i18nDir).sort()).toEqual(langs.map((lang) => `${lang}.json`).sort());
  });

  it.each(langs)('%s has every key, each with a non-empty text, and no unknown key', (lang) => {
    const file = strings(lang);
    expect(Object.keys(file).sort()).toEqual([...uiStringKeys].sort());
    expect(uiStringsSchema.safeParse(file).success).toBe(true);
  });

  it('keep the same {{placeholders}} and [PLACEHOLDERS] in every locale', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}|\[([A-Z_]+)\]/g)].map((m) => m[1] ?? m[2]).sort();
    const [first, ...others] = langs;
    for (const key of uiStringKeys) {
      for (const lang of others) {
        expect(placeholders(strings(lang)[key]), `${lang} ${key}`).toEqual(placeholders(strings(first)[key]));
      }
    }
  });

  it('are translated, not copied, where the text is a sentence', () => {
    const [pt, en] = [strings('pt-BR'), strings('en')];
    const sentences = uiStringKeys.filter((key) => pt[key].split(' ').length >= 3);
    expect(sentences.length).toBeGreaterThan(3);
    for (const key of sentences) expect(en[key], key).not.toBe(pt[key]);
  });
});
