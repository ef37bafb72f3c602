import type { FastifyInstance } from 'fastify';
import { type Omnibroker, compose } from '../../src/compose.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import { type AppLogger, createLogger } from '../../src/observability/logger.ts';
import type { BackendDefinition } from '../../src/plugin-api/index.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import type { StateStore } from '../../src/state/store.ts';
import { OsbClient, injectSender } from './osb-client.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../fakes/upstream-broker/options.ts';

export interface HarnessBackend {
  name: string;
  type: string;
  options?: Record<string, unknown>;
  prefix?: string;
  breaker?: Record<string, number>;
}

export interface HarnessOptions {
  backends: HarnessBackend[];
  /** Overrides of the `operations` config section (defaults here: no poll rate limit, fast sweeps). */
  tuning?: Record<string, number>;
  store?: StateStore;
  definitions?: Record<string, BackendDefinition>;
  catalogRefreshIntervalMs?: number;
  /** The broker's logger (default: one at TEST_LOG_LEVEL, silent). */
  logger?: AppLogger;
}

export interface Harness {
  client: OsbClient;
  app: FastifyInstance;
  omnibroker: Omnibroker;
  store: StateStore;
  close(): Promise<void>;
}

/** The `osb` backend named `up` in front of an upstream fake that keeps its default credentials. */
export const upstreamBackend = (url: string): HarnessBackend => ({
  name: 'up',
  type: 'osb',
  options: { url, ...UPSTREAM_DEFAULT_AUTH },
});

export const TEST_AUTH = { username: 'platform', password: 'test-password' };
export const TEST_ENCRYPTION_KEY = { id: 'test', secret: 'test-encryption-secret-of-at-least-32-chars' };

/** A whole broker (gateway → broker → registry → backends) on memory state, driven through inject(). */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const config = validateConfig({
    auth: { basic: [TEST_AUTH] },
    encryption: { keys: [TEST_ENCRYPTION_KEY] },
    state: { type: 'memory' },
    log: { level: process.env.TEST_LOG_LEVEL ?? 'silent' },
    catalog: { refreshIntervalMs: options.catalogRefreshIntervalMs ?? 60_000 },
    operations: { minPollIntervalMs: 0, sweepIntervalMs: 100, ...options.tuning },
    backends: options.backends.map((b) => ({ options: {}, ...b })),
  });
  const store = options.store ?? new MemoryStore();
  const omnibroker = await compose(config, {
    configDir: process.cwd(),
    store,
    logger: options.logger ?? createLogger(config.log.level),
    ...(options.definitions === undefined ? {} : { definitions: options.definitions }),
  });
  await omnibroker.app.ready();
  return {
    client: new OsbClient(injectSender(omnibroker.app), TEST_AUTH),
    app: omnibroker.app,
    omnibroker,
    store,
    close: async () => {
      await omnibroker.close();
      await store.close();
    },
  };
}
