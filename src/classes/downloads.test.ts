import { describe, expect, it } from 'vitest';
import { downloadName, downloadPath, fileSlug } from './downloads';

const day = new Date('2026-12-05T18:00:00.000Z');

describe('downloads', () => {
  it('name files after the class, the day and what they hold, in the page’s language', () => {
    expect(downloadName('Oficina de Sábado!', 'csv', 'pt-BR', day)).toBe('turma-oficina-de-sabado-2026-12-05.csv');
    expect(downloadName('Oficina de Sábado!', 'json', 'en', day)).toBe('class-oficina-de-sabado-2026-12-05.json');
    expect(downloadName('Oficina de Sábado!', 'events', 'pt-BR', day)).toBe('turma-oficina-de-sabado-eventos-2026-12-05.json');
    expect(downloadName('Docker 101', 'events', 'en', day)).toBe('class-docker-101-events-2026-12-05.json');
  });

  it('keep names safe for any file system, and short', () => {
    expect(fileSlug('../../etc/passwd')).toBe('etc-passwd');
    expect(fileSlug('ação: "turma" <1>')).toBe('acao-turma-1');
    expect(fileSlug('x'.repeat(100))).toHaveLength(40);
    expect(downloadName('日本語', 'csv', 'en', day)).toBe('class-2026-12-05.csv');
  });

  it('ask the CSV in the page’s language', () => {
    expect(downloadPath('abcdefghijklmnop', 'csv', 'en')).toBe('/api/classes/abcdefghijklmnop/export.csv?lang=en');
    expect(downloadPath('abcdefghijklmnop', 'events', 'pt-BR')).toBe('/api/classes/abcdefghijklmnop/events.json');
  });
});
