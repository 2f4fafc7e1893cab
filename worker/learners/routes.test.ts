// The learner behind the cookie: created on first visit, the same on the next, named if they wish.
import { describe, expect, it } from 'vitest';
import { apiErrorSchema, learnerSchema } from '../../protocol/index.ts';
import { Browser } from '../test-support/clients';

describe('learner identity', () => {
  it('gives a new browser an id in an HTTP-only cookie, and the same id on its next visit', async () => {
    const browser = new Browser();
    const first = await browser.fetch('/api/me');
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^doca_learner=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const learner = learnerSchema.parse(await first.json());
    expect(learner.displayName).toBeNull();
    const again = await browser.fetch('/api/me');
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(learnerSchema.parse(await again.json()).id).toBe(learner.id);
    expect(learnerSchema.parse(await (await new Browser().fetch('/api/me')).json()).id).not.toBe(learner.id);
  });

  it('keeps a display name, trimmed, and rejects one that is too long or not a string', async () => {
    const browser = new Browser();
    const named = await browser.fetch('/api/me', { method: 'PUT', body: { displayName: '  Ana  ' } });
    expect(learnerSchema.parse(await named.json()).displayName).toBe('Ana');
    expect(learnerSchema.parse(await (await browser.fetch('/api/me')).json()).displayName).toBe('Ana');
    for (const displayName of ['x'.repeat(41), 42, '']) {
      const response = await browser.fetch('/api/me', { method: 'PUT', body: { displayName } });
      expect(response.status).toBe(400);
      expect(apiErrorSchema.parse(await response.json()).error.code).toBe('invalid_body');
    }
  });
});
