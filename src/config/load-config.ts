import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { DynamoDbStoreConfigSchema, MemoryStoreConfigSchema, RedisStoreConfigSchema } from '../state/store-config.ts';
import { createOptionsAjv } from './ajv.ts';
import { describeAjvErrors } from './errors-path.ts';
import { interpolateEnv } from './interpolate.ts';
import { ConfigSchema, type OmnibrokerConfig } from './schema.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

export interface LoadedConfig {
  config: OmnibrokerConfig;
  /** Directory relative paths in the config are resolved against. */
  configDir: string;
  source: string;
}

const ajv = createOptionsAjv();
const validate = ajv.compile(ConfigSchema);
const stateBranches: Record<string, ValidateFunction> = {
  memory: ajv.compile(MemoryStoreConfigSchema),
  redis: ajv.compile(RedisStoreConfigSchema),
  dynamodb: ajv.compile(DynamoDbStoreConfigSchema),
};

/** Errors of the `state` union are reported for the branch its `type` names, not for every branch. */
function describeErrors(raw: unknown, errors: ErrorObject[]): string[] {
  const state = (raw as { state?: { type?: unknown } } | null)?.state;
  const branch = typeof state?.type === 'string' ? stateBranches[state.type] : undefined;
  const outside = errors.filter((e) => !e.instancePath.startsWith('/state'));
  const others = describeAjvErrors(outside);
  if (errors.length === outside.length) return others;
  if (branch === undefined) {
    return [...others, `state.type: must be one of ${Object.keys(stateBranches).join(', ')}`];
  }
  branch(state);
  return [...others, ...describeAjvErrors(branch.errors ?? [], 'state')];
}

export function validateConfig(raw: unknown): OmnibrokerConfig {
  if (!validate(raw)) throw new ConfigError(describeErrors(raw, validate.errors ?? []));
  const config = raw as OmnibrokerConfig;
  const problems: string[] = [];
  if (config.auth.basic.length === 0 && config.auth.bearer.length === 0) {
    problems.push('auth: configure at least one basic user or bearer token');
  }
  for (const [i, backend] of config.backends.entries()) {
    if (backend.breaker.timeoutMs >= config.operations.leaseTtlMs) {
      problems.push(
        `backends[${i}].breaker.timeoutMs: ${backend.breaker.timeoutMs} must be shorter than operations.leaseTtlMs (${config.operations.leaseTtlMs}), or a running call's lease can expire`,
      );
    }
  }
  const seen = new Map<string, number>();
  for (const [i, backend] of config.backends.entries()) {
    const first = seen.get(backend.name);
    if (first !== undefined)
      problems.push(`backends[${i}].name: "${backend.name}" is already used by backends[${first}]`);
    seen.set(backend.name, i);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${file}: cannot read the config file (${(error as Error).message})`]);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new ConfigError([`${file}: not valid YAML (${(error as Error).message})`]);
  }
  let interpolated: unknown;
  try {
    interpolated = interpolateEnv(parsed, env);
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
  return { config: validateConfig(interpolated), configDir: dirname(path), source: path };
}
