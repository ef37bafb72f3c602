/**
 * The omnibroker plugin API: the only module a backend plugin imports. Versioned by PLUGIN_API_VERSION.
 */
export { Type, type Static, type TSchema } from '@sinclair/typebox';
export * from './abortable.ts';
export * from './backend.ts';
export * from './catalog.ts';
export * from './credentials.ts';
export * from './errors.ts';
export * from './names.ts';
export * from './requests.ts';
export * from './results.ts';
