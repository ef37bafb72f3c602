import { type ParseArgsConfig, parseArgs } from 'node:util';
import { embeddedDefault } from '../config/embedded-config.ts';
import { type LoadedConfig, loadConfigFile } from '../config/load-config.ts';

export const CONFIG_OPTION = { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } as const;

/** `--config FILE`, else $OMNIBROKER_CONFIG, else the embedded default. */
export function loadCliConfig(
  file: string | undefined,
): LoadedConfig & { generatedPassword?: string; embedded: boolean } {
  const path = file ?? process.env.OMNIBROKER_CONFIG;
  if (path !== undefined && path !== '') return { ...loadConfigFile(path), embedded: false };
  const embedded = embeddedDefault();
  return {
    config: embedded.config,
    configDir: process.cwd(),
    source: 'embedded default',
    embedded: true,
    ...(embedded.generatedPassword === undefined ? {} : { generatedPassword: embedded.generatedPassword }),
  };
}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  return parseArgs({ args, options: { ...CONFIG_OPTION, ...options }, allowPositionals: true, strict: true });
}
