import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { endedReasons, type LabSession } from '../../protocol/control-plane.ts';
import { formatter, type LabStrings } from './lab-strings';
import { noticeOf, type SessionNotice } from './session-notice';

const session = (patch: Partial<LabSession>): LabSession => ({
  id: 's1',
  lab: 'arquitetura',
  state: 'running',
  queuePosition: null,
  hosts: ['host1', 'host2'],
  createdAt: '2026-12-01T10:00:00.000Z',
  expiresAt: '2026-12-01T12:00:00.000Z',
  endedReason: null,
  ...patch,
});
const ended = (endedReason: LabSession['endedReason']) => session({ state: 'ended', hosts: [], expiresAt: null, endedReason });

/** What the learner reads, in each language the site has. */
const shown = (lang: 'pt-BR' | 'en', notice: SessionNotice) => {
  const t = formatter(JSON.parse(readFileSync(new URL(`../content/i18n/${lang}.json`, import.meta.url), 'utf8')) as LabStrings);
  if (notice.state === 'running') return {};
  return { status: t(notice.status.key, notice.status.values), start: notice.state === 'ended' ? t(notice.start) : undefined };
};

describe('what the lab panel says about a session', () => {
  it('gives a session no agent could start a plain retry, in both languages, without the machine\'s details', () => {
    expect(shown('pt-BR', noticeOf(ended('failed')))).toEqual({
      status: 'Não conseguimos preparar seus hosts Docker agora. Tente de novo em instantes.',
      start: 'Tentar de novo',
    });
    expect(shown('en', noticeOf(ended('failed')))).toEqual({ status: "We couldn't prepare your Docker hosts right now. Try again in a moment.", start: 'Try again' });
  });

  it('tells the learner of a lost session that their hosts are gone, and offers new ones', () => {
    const { status, start } = shown('en', noticeOf(ended('lost')));
    expect(status).toMatch(/stopped.*hosts are gone/);
    expect(start).toBe('Start again');
    expect(shown('pt-BR', noticeOf(ended('lost'))).status).toMatch(/parou.*se perderam/);
  });

  it('has its own words and a Start for every way a session ends', () => {
    const notices = endedReasons.map((reason) => noticeOf(ended(reason)));
    expect(new Set(notices.map((notice) => notice.state === 'ended' && notice.status.key)).size).toBe(endedReasons.length);
    for (const notice of notices) expect(notice).toMatchObject({ state: 'ended', start: expect.stringMatching(/^doca\.lab\./) });
  });

  it('shows the place in line while queued, and leaves running sessions to their terminals', () => {
    expect(shown('en', noticeOf(session({ state: 'queued', queuePosition: 3, hosts: [], expiresAt: null })))).toEqual({
      status: 'Every host is busy right now. Your place in line: 3.',
      start: undefined,
    });
    expect(noticeOf(session({}))).toEqual({ state: 'running' });
  });

  it('says the hosts are being prepared while an agent starts them', () => {
    const starting = noticeOf(session({ state: 'starting', hosts: [], expiresAt: null }));
    expect(shown('pt-BR', starting).status).toBe('Preparando seus hosts…');
    expect(shown('en', starting).status).toBe('Preparing your hosts…');
  });
});
