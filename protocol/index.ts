export * from './api.ts';
export * from './agent.ts';
