// Cloudflare Workers entry point of the control plane.
import { app } from './app';

export { ClassRoom } from './classes/class-room';
export { AddressLimits } from './limits/address-limits';
export { AgentPool } from './pool/agent-pool';
export { LabSessionObject } from './sessions/lab-session-object';
export default app;
