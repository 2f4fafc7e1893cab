// The control plane's HTTP app: API routes under /api, everything else is the static site.
import { Hono } from 'hono';
import type { AppEnv } from './env';
import { APIFailure, handleError } from '../protocol/http-errors.ts';
import { health } from './routes/health';

export const app = new Hono<AppEnv>()
  .route('/api/health', health)
  .all('/api/*', (c) => {
    throw new APIFailure('not_found', `No API route ${c.req.method} ${c.req.path}.`);
  })
  .all('*', (c) => c.env.ASSETS.fetch(c.req.raw))
  .onError(handleError);
