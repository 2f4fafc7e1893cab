// Learners without sign-up: an id in an HTTP-only signed cookie, created on first use, so the same
// browser finds its sessions and progress again; a display name only if the learner gives one.
import type { Context, MiddlewareHandler } from 'hono';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { AppEnv } from '../env';
import { addressLimitsOf, enforce } from '../limits/address-limits';
import { clientAddress } from '../limits/client-address';

export const learnerCookie = 'doca_learner';
const oneYear = 365 * 24 * 3600;

export const learnerIdentity: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = await getSignedCookie(c, c.env.COOKIE_SECRET, learnerCookie);
  const known = id ? await c.env.DB.prepare('SELECT id, display_name FROM learners WHERE id = ?').bind(id).first<{ id: string; display_name: string | null }>() : null;
  if (known) {
    c.set('learner', { id: known.id, displayName: known.display_name });
  } else {
    // Counted before anything is written: a flood of first visits costs its address's count only.
    enforce(await addressLimitsOf(c.env, clientAddress(c.req.raw)).admitLearner());
    const learner = { id: crypto.randomUUID(), displayName: null };
    await c.env.DB.prepare('INSERT INTO learners (id, display_name, created_at) VALUES (?, NULL, ?)').bind(learner.id, new Date().toISOString()).run();
    await setLearnerCookie(c, learner.id);
    c.set('learner', learner);
  }
  await next();
};

function setLearnerCookie(c: Context<AppEnv>, id: string) {
  return setSignedCookie(c, learnerCookie, id, c.env.COOKIE_SECRET, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.req.url).protocol === 'https:',
    path: '/',
    maxAge: oneYear,
  });
}
