// The worker's bindings, as declared in wrangler.toml (secrets: .dev.vars / `wrangler secret put`).
import type { ClassRoom } from './classes/class-room';
import type { ClassRow } from './classes/class-state';
import type { AddressLimits } from './limits/address-limits';
import type { LimitSettings } from './limits/settings';
import type { AgentPool } from './pool/agent-pool';
import type { LabSessionObject } from './sessions/lab-session-object';
import type { Learner } from '../protocol/control-plane.ts';

/** The limit settings are [vars] (worker/limits/settings.ts validates them). */
export interface Bindings extends LimitSettings {
  /** The built site (dist/), served for every path that is not an API route. */
  ASSETS: Fetcher;
  /** Learners, lab sessions and progress. */
  DB: D1Database;
  /** The agents and the queue (one instance, named "pool"). */
  POOL: DurableObjectNamespace<AgentPool>;
  /** One per lab session (named by its id): its live state and transitions. */
  SESSION: DurableObjectNamespace<LabSessionObject>;
  /** One per client address (named by it): its new learners and live sessions, counted. */
  ADDRESS_LIMITS: DurableObjectNamespace<AddressLimits>;
  /** The control plane's Ed25519 private key, a JWK as JSON: it signs every call to an agent. */
  CONTROL_PLANE_KEY: string;
  /** The agents' registry: JSON {"<agent id>": <its public key, a JWK>}; a heartbeat verifies with its agent's key only. */
  AGENT_KEYS: string;
  /**
   * How long a call to an agent may take before it counts as slow (milliseconds; default 20 000).
   * A slow call is asked again later, with the same session key.
   */
  AGENT_CALL_TIMEOUT_MS?: string;
  /** Signs the learner cookie. */
  COOKIE_SECRET: string;
  /** One per class (named by its id): the instructors' push channel, help mode, the class's clock. */
  CLASS_ROOM: DurableObjectNamespace<ClassRoom>;
  /** Days a class's data is kept after it ends (default 90). */
  CLASS_RETENTION_DAYS?: string;
}

/** `learner`: the learner behind the cookie (learner routes); `class`: the class whose secret the request holds (instructor routes). */
export type AppEnv = { Bindings: Bindings; Variables: { learner: Learner; class: ClassRow } };
