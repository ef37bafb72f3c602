import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createOptionsAjv } from '../config/ajv.ts';
import { describeAjvErrors } from '../config/errors-path.ts';
import type { BackendConfig } from '../config/schema.ts';
import { BUILTIN_BACKENDS } from '../backends/builtin.ts';
import type { Metrics } from '../observability/metrics.ts';
import { type BackendDefinition, isBackendDefinition, type Logger, PLUGIN_API_VERSION } from '../plugin-api/index.ts';
import { GuardedBackend } from './guarded-backend.ts';

export class BackendLoadError extends Error {
  override readonly name = 'BackendLoadError';
}

async function importDefinition(type: string, where: string, configDir: string): Promise<BackendDefinition> {
  const builtin = BUILTIN_BACKENDS[type];
  const isPath = type.startsWith('.') || isAbsolute(type);
  let module: { default?: unknown };
  try {
    if (builtin !== undefined) module = await builtin();
    else if (isPath) module = await import(pathToFileURL(resolve(configDir, type)).href);
    else module = await import(type);
  } catch (error) {
    const known = Object.keys(BUILTIN_BACKENDS).join(', ');
    throw new BackendLoadError(
      `${where}.type: cannot load "${type}" (${(error as Error).message}); use a built-in kind (${known}), a module path like ./plugin.js, or an installed npm package`,
    );
  }
  const definition = module.default;
  if (!isBackendDefinition(definition)) {
    throw new BackendLoadError(
      `${where}.type: module "${type}" must default-export defineBackend({ kind, optionsSchema, create }) from the omnibroker plugin API`,
    );
  }
  if (definition.apiVersion !== PLUGIN_API_VERSION) {
    throw new BackendLoadError(
      `${where}.type: module "${type}" was built for plugin API version ${definition.apiVersion}, this omnibroker speaks version ${PLUGIN_API_VERSION}`,
    );
  }
  return definition;
}

export interface LoadBackendsOptions {
  configDir: string;
  log: Logger;
  metrics: Metrics;
  /** Extra kinds (tests, embedding), looked up before the built-ins. */
  definitions?: Record<string, BackendDefinition>;
}

/** Imports, validates and creates every configured backend, each behind its own breaker. */
export async function loadBackends(configs: BackendConfig[], options: LoadBackendsOptions): Promise<GuardedBackend[]> {
  const ajv = createOptionsAjv();
  const guarded: GuardedBackend[] = [];
  try {
    for (const [i, config] of configs.entries()) {
      const where = `backends[${i}]`;
      const definition =
        options.definitions?.[config.type] ?? (await importDefinition(config.type, where, options.configDir));
      const validate = ajv.compile(definition.optionsSchema);
      if (!validate(config.options)) {
        const problems = describeAjvErrors(validate.errors ?? [], `${where}.options`);
        throw new BackendLoadError(
          `${where} (${config.name}, ${config.type}): invalid options:\n  ${problems.join('\n  ')}`,
        );
      }
      const log = options.log.child({ backend: config.name });
      let backend: Awaited<ReturnType<BackendDefinition['create']>>;
      try {
        backend = await definition.create(config.options, { name: config.name, log, configDir: options.configDir });
      } catch (error) {
        throw new BackendLoadError(
          `${where} (${config.name}, ${config.type}): could not start: ${(error as Error).message}`,
        );
      }
      const prefix = config.prefix ?? `${config.name}-`;
      guarded.push(new GuardedBackend(config.name, config.type, prefix, backend, config.breaker, log, options.metrics));
    }
  } catch (error) {
    await Promise.allSettled(guarded.map((g) => g.close()));
    throw error;
  }
  return guarded;
}
