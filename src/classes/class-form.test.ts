import { describe, expect, it } from 'vitest';
import { classRequestOf, instantOf } from './class-form';

const now = Date.parse('2026-12-05T12:00:00.000Z');

describe('the new-class form', () => {
  it('becomes a request: the name trimmed, the labs, and local times as instants', () => {
    const result = classRequestOf({ name: '  Oficina  ', labs: ['arquitetura', 'registries'], startsAt: '2026-12-05T13:00', endsAt: '2026-12-05T17:00' }, now);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request).toEqual({ name: 'Oficina', labs: ['arquitetura', 'registries'], startsAt: instantOf('2026-12-05T13:00'), endsAt: instantOf('2026-12-05T17:00') });
    expect(Date.parse(result.request.endsAt!) - Date.parse(result.request.startsAt!)).toBe(4 * 3_600_000);
  });

  it('leaves out the times that are empty', () => {
    expect(classRequestOf({ name: 'Oficina', labs: ['fluxo'], startsAt: '', endsAt: '' }, now)).toEqual({ ok: true, request: { name: 'Oficina', labs: ['fluxo'] } });
  });

  it('says, field by field, what is missing or wrong', () => {
    expect(classRequestOf({ name: ' ', labs: [], startsAt: '', endsAt: '' }, now)).toEqual({ ok: false, problems: { name: 'doca.class.new.nameMissing', labs: 'doca.class.new.labsMissing' } });
    expect(classRequestOf({ name: 'a', labs: ['fluxo'], startsAt: '2026-12-06T10:00', endsAt: '2026-12-06T09:00' }, now)).toEqual({ ok: false, problems: { endsAt: 'doca.class.new.endBeforeStart' } });
    expect(classRequestOf({ name: 'a', labs: ['fluxo'], startsAt: '', endsAt: '2020-01-01T09:00' }, now)).toEqual({ ok: false, problems: { endsAt: 'doca.class.new.endInPast' } });
  });
});
