// A class's state and clock: when it opens, ends, and when its data goes.
import { describe, expect, it } from 'vitest';
import { classState, nextMoment, retentionMsOf, type ClassRow } from './class-state';

const day = 24 * 3600_000;
const now = Date.parse('2026-12-01T10:00:00.000Z');
const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
const row = (more: Partial<ClassRow> = {}): ClassRow => ({ id: 'c', name: 'T', labs: '["arquitetura"]', join_code: 'ABC234', secret_hash: '', starts_at: null, ends_at: null, ended_at: null, created_at: at(-day), ...more });

describe('a class', () => {
  it('is not started before its start, open until its end, ended after it or once ended', () => {
    expect(classState(row({ starts_at: at(60_000) }), now)).toBe('not-started');
    expect(classState(row({ ends_at: at(60_000) }), now)).toBe('open');
    expect(classState(row({ ends_at: at(-1) }), now)).toBe('ended');
    expect(classState(row({ ended_at: at(-1) }), now)).toBe('ended');
  });

  it('wakes at its start, then at its end, then when its retention has passed', () => {
    const retention = 90 * day;
    expect(nextMoment(row({ starts_at: at(3600_000), ends_at: at(7200_000) }), now, retention)).toEqual({ at: now + 3600_000, kind: 'open' });
    expect(nextMoment(row({ ends_at: at(7200_000) }), now, retention)).toEqual({ at: now + 7200_000, kind: 'end' });
    expect(nextMoment(row({ ends_at: at(-1) }), now, retention)).toEqual({ at: now, kind: 'end' });
    expect(nextMoment(row({ ended_at: at(-day) }), now, retention)).toEqual({ at: now - day + retention, kind: 'erase' });
    expect(nextMoment(row(), now, retention)).toBeNull();
  });

  it('keeps its data CLASS_RETENTION_DAYS (90 unless set), and a bad setting names the variable', () => {
    expect(retentionMsOf({})).toBe(90 * day);
    expect(retentionMsOf({ CLASS_RETENTION_DAYS: '7' })).toBe(7 * day);
    expect(() => retentionMsOf({ CLASS_RETENTION_DAYS: 'soon' })).toThrow(/CLASS_RETENTION_DAYS/);
    expect(() => retentionMsOf({ CLASS_RETENTION_DAYS: '0' })).toThrow(/CLASS_RETENTION_DAYS/);
  });
});
