export * from './errors.js';
export * from './messages.js';
export * from './moderation.js';
export * from './planning.js';
export * from './minutes.js';
