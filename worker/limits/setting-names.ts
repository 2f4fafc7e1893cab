// The names of the abuse-limit settings (wrangler.toml [vars]), on their own so that `npm start`
// can pass them through from its environment without loading the worker's dependencies.
export const limitSettingNames = ['LEARNERS_PER_ADDRESS_PER_MINUTE', 'LIVE_SESSIONS_PER_ADDRESS', 'EXTENSIONS_PER_SESSION', 'QUEUE_ABANDON_SECONDS'] as const;
export type LimitSettingName = (typeof limitSettingNames)[number];
