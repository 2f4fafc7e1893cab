import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatter, type LabStrings } from './lab-strings';
import { refusalNotice, type RefusalNotice } from './refusal-notice';

/** What the learner reads, in each language the site has. */
const shown = (lang: 'pt-BR' | 'en', notice: RefusalNotice | null) => {
  const t = formatter(JSON.parse(readFileSync(new URL(`../content/i18n/${lang}.json`, import.meta.url), 'utf8')) as LabStrings);
  return notice && t(notice.status.key, notice.status.values);
};

describe('what the lab panel says when a limit refuses a call', () => {
  it('tells a learner behind a busy address when to try again, in both languages', () => {
    expect(shown('pt-BR', refusalNotice('rate_limited', '42'))).toBe('Muitos pedidos deste endereço. Tente de novo em 42 s.');
    expect(shown('en', refusalNotice('rate_limited', '42'))).toBe('Too many requests from this address. Try again in 42 s.');
    expect(shown('en', refusalNotice('too_many_sessions', '15'))).toMatch(/sessions.*this address.*Try again in 15 s\./);
    expect(shown('pt-BR', refusalNotice('too_many_sessions', '15'))).toMatch(/sessões.*deste endereço.*Tente de novo em 15 s\./);
  });

  it('says a session has no extensions left, and takes the Extend button away', () => {
    const notice = refusalNotice('extension_limit', null);
    expect(notice?.offersExtend).toBe(false);
    expect(shown('en', notice)).toMatch(/can't be extended/);
    expect(shown('pt-BR', notice)).toMatch(/não pode mais ser estendida/);
  });

  it('reads a missing, dated or odd Retry-After as a sensible wait, never zero', () => {
    expect(refusalNotice('rate_limited', null)?.status.values).toEqual({ seconds: 30 });
    expect(refusalNotice('rate_limited', 'soon')?.status.values).toEqual({ seconds: 30 });
    expect(refusalNotice('rate_limited', '0')?.status.values).toEqual({ seconds: 1 });
    expect(refusalNotice('rate_limited', new Date(Date.now() + 20_000).toUTCString())?.status.values?.seconds).toBeGreaterThanOrEqual(19);
  });

  it('leaves every other error to the generic message', () => {
    expect(refusalNotice('internal', '5')).toBeNull();
    expect(refusalNotice(undefined, null)).toBeNull();
  });
});
