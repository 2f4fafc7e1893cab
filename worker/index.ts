// Cloudflare Workers entry point of the control plane.
import { app } from './app';

export default app;
