import { CatalogService } from '../broker/catalog/catalog-service.ts';
import { SchemaValidators } from '../broker/schema-validators.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import { type AppLogger, createLogger } from '../observability/logger.ts';
import { Metrics } from '../observability/metrics.ts';
import type { GuardedBackend } from '../registry/guarded-backend.ts';
import { loadBackends } from '../registry/load-backends.ts';
import { createStore } from '../state/create-store.ts';
import type { StateStore } from '../state/store.ts';

export interface Runtime {
  store: StateStore;
  backends: GuardedBackend[];
  catalog: CatalogService;
  close(): Promise<void>;
}

/** CLI output is for people: broker log lines go to stderr and only when they are warnings or worse. */
export function cliLogger(): AppLogger {
  return createLogger(process.env.LOG_LEVEL ?? 'error', process.stderr);
}

export function openStore(loaded: LoadedConfig, logger: AppLogger = cliLogger()): Promise<StateStore> {
  return createStore(loaded.config.state, logger);
}

export function openBackends(
  loaded: LoadedConfig,
  logger: AppLogger = cliLogger(),
  metrics = new Metrics(),
): Promise<GuardedBackend[]> {
  return loadBackends(loaded.config.backends, { configDir: loaded.configDir, log: logger, metrics });
}

/** Store, backends and the merged catalog as `serve` builds them (see compose.ts), without the HTTP server. */
export async function openRuntime(loaded: LoadedConfig, logger: AppLogger = cliLogger()): Promise<Runtime> {
  const metrics = new Metrics();
  const store = await openStore(loaded, logger);
  let backends: GuardedBackend[] = [];
  try {
    backends = await openBackends(loaded, logger, metrics);
    const validators = new SchemaValidators(() => {});
    const catalog = new CatalogService(backends, store, validators, logger, metrics);
    await catalog.refresh(true);
    return {
      store,
      backends,
      catalog,
      async close() {
        await Promise.allSettled(backends.map((b) => b.close()));
        await store.close();
      },
    };
  } catch (error) {
    await Promise.allSettled(backends.map((b) => b.close()));
    await store.close();
    throw error;
  }
}
