/**
 * The callback vocabulary's public surface: wire types, one builder per type, numbering, readers,
 * the returned-callbacks check, secret clearing and the JSON Schemas.
 */
export * from './types.js';
export * from './builders.js';
export * from './numbering.js';
export * from './readers.js';
export * from './verify.js';
export * from './secrets.js';
export * from './schemas.js';
