export * from './api.ts';
export * from './agent.ts';
export * from './events.ts';
export * from './terminal.ts';
export * from './control-plane.ts';
export * from './progress.ts';
export * from './flow.ts';
export * from './classes.ts';
