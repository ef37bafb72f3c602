import type { FastifyInstance } from 'fastify';
import { Broker } from './broker/broker.ts';
import { CatalogService } from './broker/catalog/catalog-service.ts';
import { SchemaValidators } from './broker/schema-validators.ts';
import type { OmnibrokerConfig } from './config/schema.ts';
import { buildGateway } from './gateway/build-gateway.ts';
import { type AppLogger, createLogger } from './observability/logger.ts';
import { Metrics } from './observability/metrics.ts';
import type { BackendDefinition } from './plugin-api/index.ts';
import type { GuardedBackend } from './registry/guarded-backend.ts';
import { loadBackends } from './registry/load-backends.ts';
import { createStore } from './state/create-store.ts';
import { KeyRing } from './state/key-ring.ts';
import type { StateStore } from './state/store.ts';

export interface ComposeOptions {
  configDir: string;
  logger?: AppLogger;
  /** Use this store instead of the configured one (tests). */
  store?: StateStore;
  /** Extra backend kinds (tests, embedding). */
  definitions?: Record<string, BackendDefinition>;
  /** Collect process metrics too (the served process; tests leave it off). */
  defaultMetrics?: boolean;
}

export interface Omnibroker {
  app: FastifyInstance;
  broker: Broker;
  store: StateStore;
  backends: GuardedBackend[];
  logger: AppLogger;
  close(): Promise<void>;
}

/** Wires config → store, backends, catalog, broker, gateway, by hand. */
export async function compose(config: OmnibrokerConfig, options: ComposeOptions): Promise<Omnibroker> {
  const logger = options.logger ?? createLogger(config.log.level);
  const metrics = new Metrics({ defaultMetrics: options.defaultMetrics ?? false });
  const keyRing = new KeyRing(config.encryption.keys);
  const store = options.store ?? (await createStore(config.state, logger));
  const loadOptions = {
    configDir: options.configDir,
    log: logger,
    metrics,
    ...(options.definitions ? { definitions: options.definitions } : {}),
  };
  let backends: GuardedBackend[] = [];
  try {
    backends = await loadBackends(config.backends, loadOptions);
    const validators = new SchemaValidators((reason) =>
      logger.warn({ reason }, 'a plan parameters schema does not compile; parameters are not validated against it'),
    );
    const catalog = new CatalogService(backends, store, validators, logger, metrics);
    await catalog.start(config.catalog.refreshIntervalMs);
    const broker = new Broker({
      store,
      keyRing,
      catalog,
      backends: new Map(backends.map((b) => [b.name, b])),
      log: logger,
      metrics,
      tuning: config.operations,
    });
    broker.sweeper.start(config.operations.sweepIntervalMs);
    const app = buildGateway(broker, { auth: config.auth, bodyLimit: config.limits.bodyBytes, logger });
    return {
      app,
      broker,
      store,
      backends,
      logger,
      async close() {
        await app.close();
        await broker.sweeper.stop();
        catalog.stop();
        await Promise.allSettled(backends.map((b) => b.close()));
        await store.close();
      },
    };
  } catch (error) {
    await Promise.allSettled(backends.map((b) => b.close()));
    if (options.store === undefined) await store.close();
    throw error;
  }
}
