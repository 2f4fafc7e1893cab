import { describe, expect, it } from 'vitest';
import { translatedLocales } from '../i18n/locales';
import { labs } from './index.ts';
import { labForLesson, lessonPathOf } from './lab-for-lesson';

const locales = Object.keys(translatedLocales);

describe('a lab and its lesson', () => {
  it("links to the lab's lesson in each locale, and that page is the lab's", () => {
    expect(lessonPathOf({ lesson: 'arquitetura/fluxo' }, undefined)).toBe('/arquitetura/fluxo/');
    expect(lessonPathOf({ lesson: 'arquitetura/fluxo' }, 'en')).toBe('/en/arquitetura/fluxo/');
    for (const lab of labs.values()) {
      for (const locale of [undefined, ...locales]) {
        const routeID = lessonPathOf(lab, locale).slice(1, -1);
        expect(labForLesson(routeID, locales)?.id, routeID).toBe(lab.id);
      }
    }
  });

  it('finds the overview\'s lab and the one on the path of a command, and none beside a page that is no lesson', () => {
    expect(labForLesson('en/arquitetura/visao-geral', locales)?.id).toBe('arquitetura');
    expect(labForLesson('arquitetura/fluxo', locales)?.id).toBe('fluxo');
    expect(labForLesson('en', locales)).toBeUndefined();
    expect(labForLesson('en/arquitetura/nada', locales)).toBeUndefined();
  });
});
