// The learner behind the cookie: who they are, the name they choose to show, and the lab steps
// they have passed.
import { Hono } from 'hono';
import { startLabSessionRequestSchema, updateLearnerRequestSchema, type Learner } from '../../protocol/control-plane.ts';
import { APIFailure, validBody } from '../../protocol/http-errors.ts';
import { labs } from '../../src/labs/index.ts';
import type { AppEnv } from '../env';
import { jsonBody } from '../json-body';
import { LabProgress } from '../sessions/lab-progress';

export const learnerRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.json(c.get('learner')))
  .put('/', async (c) => {
    const { displayName } = await jsonBody(c, updateLearnerRequestSchema, '{"displayName": "Ana"}');
    await c.env.DB.prepare('UPDATE learners SET display_name = ? WHERE id = ?').bind(displayName, c.get('learner').id).run();
    return c.json({ id: c.get('learner').id, displayName } satisfies Learner);
  })
  // One lab's passed steps with `?lab=`; without it, every lab's. Only ever the learner's own, by their cookie.
  .get('/progress', async (c) => {
    const progress = new LabProgress(c.env);
    if (c.req.query('lab') === undefined) return c.json(await progress.all(c.get('learner').id));
    const { lab } = validBody(startLabSessionRequestSchema, { lab: c.req.query('lab') });
    if (!labs.has(lab)) throw new APIFailure('lab_not_found', `There is no lab "${lab}".`);
    return c.json(await progress.of(c.get('learner').id, lab));
  });
