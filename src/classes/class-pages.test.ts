import { describe, expect, it } from 'vitest';
import { classPageTwin, instructorKeyOf, instructorURL, joinCodeOf, joinURL } from './class-pages';

const secret = 'A'.repeat(20) + '_-' + 'b'.repeat(21);

describe('class page links', () => {
  it('give learners the join page of the page language, with the code', () => {
    expect(joinURL('https://doca.dev', 'ABC234', 'pt-BR')).toBe('https://doca.dev/turmas/entrar/?codigo=ABC234');
    expect(joinURL('https://doca.dev', 'ABC234', 'en')).toBe('https://doca.dev/en/classes/join/?code=ABC234');
  });

  it('put the instructor secret in the fragment, and read it back', () => {
    const url = instructorURL('https://doca.dev', 'class_id-1234567890', secret, 'en');
    expect(url).toBe(`https://doca.dev/en/classes/dashboard/#class_id-1234567890.${secret}`);
    expect(instructorKeyOf(new URL(url).hash)).toEqual({ classID: 'class_id-1234567890', secret });
  });

  it('refuse a fragment that is not a class id and a secret', () => {
    expect(instructorKeyOf('')).toBeUndefined();
    expect(instructorKeyOf('#class_id-1234567890')).toBeUndefined();
    expect(instructorKeyOf(`#short.${secret}`)).toBeUndefined();
    expect(instructorKeyOf('#class_id-1234567890.tooshort')).toBeUndefined();
    expect(instructorKeyOf(`#class_id-1234567890.${secret}.extra`)).toBeUndefined();
  });

  it('read the join code from either language’s parameter, normalized, or nothing', () => {
    expect(joinCodeOf('?codigo=abc-234')).toBe('ABC234');
    expect(joinCodeOf('?code=ABC 234')).toBe('ABC234');
    expect(joinCodeOf('?code=O0O0O0')).toBe(''); // look-alikes are not in the alphabet
    expect(joinCodeOf('')).toBe('');
  });

  it('find each class page’s twin in the other language, and none for other pages', () => {
    expect(classPageTwin('/turmas/nova/', 'en')).toBe('/en/classes/new/');
    expect(classPageTwin('/en/classes/dashboard', 'pt-BR')).toBe('/turmas/painel/');
    expect(classPageTwin('/en/classes/join/', 'en')).toBe('/en/classes/join/');
    expect(classPageTwin('/arquitetura/fluxo/', 'en')).toBeUndefined();
  });
});
