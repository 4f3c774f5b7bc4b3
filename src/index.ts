export * from './errors.js';
export type * from './stores/types.js';
