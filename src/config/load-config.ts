import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { createOptionsAjv } from './ajv.ts';
import { describeAjvError } from './errors-path.ts';
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

const validate = createOptionsAjv().compile(ConfigSchema);

export function validateConfig(raw: unknown): OmnibrokerConfig {
  if (!validate(raw)) throw new ConfigError((validate.errors ?? []).map((e) => describeAjvError(e)));
  const config = raw as OmnibrokerConfig;
  const problems: string[] = [];
  if (config.auth.basic.length === 0 && config.auth.bearer.length === 0) {
    problems.push('auth: configure at least one basic user or bearer token');
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
