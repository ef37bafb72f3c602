import { Ajv } from 'ajv';

/** Ajv for our own schemas (config, backend options): defaults applied, every error reported. */
export function createOptionsAjv(): Ajv {
  return new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
}
