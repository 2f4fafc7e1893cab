// Cloudflare Workers entry point of the control plane.
import { app } from './app';

export { HostPool } from './pool/host-pool';
export { LabSessionObject } from './sessions/lab-session-object';
export default app;
