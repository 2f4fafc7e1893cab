// The learner behind the cookie: who they are, and the name they choose to show.
import { Hono } from 'hono';
import { updateLearnerRequestSchema, type Learner } from '../../protocol/control-plane.ts';
import type { AppEnv } from '../env';
import { jsonBody } from '../json-body';

export const learnerRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.json(c.get('learner')))
  .put('/', async (c) => {
    const { displayName } = await jsonBody(c, updateLearnerRequestSchema, '{"displayName": "Ana"}');
    await c.env.DB.prepare('UPDATE learners SET display_name = ? WHERE id = ?').bind(displayName, c.get('learner').id).run();
    return c.json({ id: c.get('learner').id, displayName } satisfies Learner);
  });
