// Liveness of the control plane, for load balancers and `npm start`'s readiness wait.
import { Hono } from 'hono';
import type { HealthResponse } from '../../protocol/index.ts';
import type { AppEnv } from '../env';

export const health = new Hono<AppEnv>().get('/', (c) => c.json({ ok: true } satisfies HealthResponse));
