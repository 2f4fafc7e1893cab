// The control plane's HTTP app: API routes under /api, everything else is the static site.
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { APIFailure, handleError } from '../protocol/http-errors.ts';
import { agentRoutes } from './agents/routes';
import { learnerClassRoutes } from './classes/learner-routes';
import { classRoutes } from './classes/routes';
import type { AppEnv } from './env';
import { learnerIdentity } from './learners/identity';
import { learnerRoutes } from './learners/routes';
import { health } from './routes/health';
import { sessionRoutes } from './sessions/routes';

export const app = new Hono<AppEnv>()
  .route('/api/health', health)
  .route('/api/agents', agentRoutes)
  // Learner routes ride on a cookie: other sites may not drive them (Origin check on writes).
  // A `/path/*` pattern also matches `/path` itself.
  .use('/api/me/*', csrf(), learnerIdentity)
  .use('/api/sessions/*', csrf(), learnerIdentity)
  .use('/api/classes/join', csrf(), learnerIdentity)
  .route('/api/me', learnerRoutes)
  .route('/api/me', learnerClassRoutes)
  .route('/api/sessions', sessionRoutes)
  // Instructor routes ride on the class's secret, never on a cookie.
  .route('/api/classes', classRoutes)
  .all('/api/*', (c) => {
    throw new APIFailure('not_found', `No API route ${c.req.method} ${c.req.path}.`);
  })
  .all('*', (c) => c.env.ASSETS.fetch(c.req.raw))
  .onError(handleError);
