/**
 * The contract suite against a plugin named on the command line, for plugin authors:
 *   OMNIBROKER_PLUGIN=./my-plugin.ts OMNIBROKER_PLUGIN_OPTIONS='{"url":"..."}' npm run test:contract
 * Optional OMNIBROKER_PLUGIN_SAMPLE='{"serviceId":"...","planId":"..."}'; default: the first plan of the first
 * bindable service. Without OMNIBROKER_PLUGIN this file skips itself.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'vitest';
import { createOptionsAjv } from '../../src/config/ajv.ts';
import { type BackendDefinition, isBackendDefinition, type JsonObject } from '../../src/plugin-api/index.ts';
import { backendContract } from './backend-contract.ts';

const pluginPath = process.env.OMNIBROKER_PLUGIN;

const parseJson = (name: string): JsonObject | undefined => {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as JsonObject;
  } catch (error) {
    throw new Error(`${name}: not JSON (${(error as Error).message})`);
  }
};

async function loadPlugin(path: string): Promise<BackendDefinition> {
  const isPath = path.startsWith('.') || path.startsWith('/');
  const module = (await import(isPath ? pathToFileURL(resolve(process.cwd(), path)).href : path)) as {
    default?: unknown;
  };
  if (!isBackendDefinition(module.default)) {
    throw new Error(
      `OMNIBROKER_PLUGIN ${path}: the default export is not defineBackend({ kind, optionsSchema, create })`,
    );
  }
  return module.default;
}

async function firstSample(definition: BackendDefinition, raw: JsonObject) {
  // Defaults filled in as the broker does before `create`.
  const options = structuredClone(raw);
  createOptionsAjv().compile(definition.optionsSchema)(options);
  const log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
  const backend = await definition.create(options as never, { name: 'contract', log, configDir: process.cwd() });
  try {
    const { services } = await backend.catalog({ signal: AbortSignal.timeout(30_000), log });
    const service = services.find((s) => s.bindable) ?? services[0];
    const plan = service?.plans[0];
    if (service === undefined || plan === undefined) throw new Error('the plugin serves an empty catalog');
    return { serviceId: service.id, planId: plan.id };
  } finally {
    await backend.close?.();
  }
}

if (pluginPath === undefined || pluginPath === '') {
  describe.skip('plugin contract (set OMNIBROKER_PLUGIN to run it)', () => {
    it('needs OMNIBROKER_PLUGIN', () => {});
  });
} else {
  const definition = await loadPlugin(pluginPath);
  const options = parseJson('OMNIBROKER_PLUGIN_OPTIONS') ?? {};
  const sample =
    (parseJson('OMNIBROKER_PLUGIN_SAMPLE') as { serviceId: string; planId: string } | undefined) ??
    (await firstSample(definition, options));
  backendContract({ name: `${definition.kind} (${pluginPath})`, definition, options, sample });
}
