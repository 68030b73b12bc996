/**
 * The callback vocabulary's public surface: wire types, the registry of callback descriptors, one
 * builder per type, numbering (and secret blanking), readers, the returned-callbacks check and the
 * JSON Schemas.
 */
export * from './types.js';
export * from './registry.js';
export * from './builders.js';
export * from './numbering.js';
export * from './readers.js';
export * from './verify.js';
export * from './schemas.js';
