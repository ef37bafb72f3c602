import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineBackend } from '../../plugin-api/index.ts';
import { AwsBackend } from './aws-backend.ts';
import { createAwsClients } from './aws-clients.ts';
import { type AwsOptions, AwsOptionsSchema } from './options.ts';
import { TemplateCatalog } from './template-catalog.ts';
import { templatesFromBucket, templatesFromDirectory } from './template-source.ts';

/** The templates shipped with omnibroker. */
export const SHIPPED_TEMPLATES = fileURLToPath(new URL('../../../templates/aws/', import.meta.url));

function memoizeUntilFailure<T>(load: (signal: AbortSignal) => Promise<T>): (signal: AbortSignal) => Promise<T> {
  let pending: Promise<T> | undefined;
  return (signal) => {
    if (pending === undefined) {
      pending = load(signal);
      pending.catch(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}

export default defineBackend({
  kind: 'aws',
  optionsSchema: AwsOptionsSchema,
  async create(options: AwsOptions, deps) {
    const clients = createAwsClients({
      region: options.region,
      roleSessionName: `omnibroker-${deps.name}`,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.roleArn === undefined ? {} : { roleArn: options.roleArn }),
    });
    const bucket = options.templatesBucket;
    let loadCatalog: (signal: AbortSignal) => Promise<TemplateCatalog>;
    if (bucket === undefined) {
      const directory =
        options.templates === undefined
          ? SHIPPED_TEMPLATES
          : isAbsolute(options.templates)
            ? options.templates
            : resolve(deps.configDir, options.templates);
      // A bad template fails start-up, naming the file.
      const catalog = new TemplateCatalog(await templatesFromDirectory(directory), options.parameters);
      loadCatalog = async () => catalog;
    } else {
      const prefix = options.templatesPrefix ?? '';
      loadCatalog = memoizeUntilFailure(
        async (signal) =>
          new TemplateCatalog(await templatesFromBucket(clients.s3, bucket, prefix, signal), options.parameters),
      );
    }
    deps.log.info({ region: options.region, endpoint: options.endpoint, bucket }, 'aws backend ready');
    return new AwsBackend({
      region: options.region,
      stackPrefix: options.stackPrefix ?? 'omnibroker-',
      retry: {
        baseDelayMs: options.retry?.baseDelayMs ?? 200,
        maxDelayMs: options.retry?.maxDelayMs ?? 5000,
        maxAttempts: options.retry?.maxAttempts ?? 8,
      },
      clients,
      loadCatalog,
    });
  },
});
