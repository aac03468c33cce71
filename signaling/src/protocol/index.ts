export * from './errors.js';
export * from './messages.js';
export * from './moderation.js';
export * from './markup.js';
export * from './planning.js';
export * from './streamId.js';
export * from './minutes.js';
export * from './recording.js';
