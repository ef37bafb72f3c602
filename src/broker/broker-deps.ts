import type { Metrics } from '../observability/metrics.ts';
import type { Logger } from '../plugin-api/index.ts';
import type { GuardedBackend } from '../registry/guarded-backend.ts';
import type { KeyRing } from '../state/key-ring.ts';
import type { StateStore } from '../state/store.ts';
import type { CatalogService } from './catalog/catalog-service.ts';

export interface BrokerTuning {
  minPollIntervalMs: number;
  maxDurationMs: number;
  leaseTtlMs: number;
  tombstoneTtlMs: number;
}

export interface BrokerDeps {
  store: StateStore;
  keyRing: KeyRing;
  catalog: CatalogService;
  backends: ReadonlyMap<string, GuardedBackend>;
  log: Logger;
  metrics: Metrics;
  tuning: BrokerTuning;
}

/** What the gateway maps to an HTTP answer: OSB status codes are part of the semantics. */
export interface BrokerResult {
  status: 200 | 201 | 202 | 410;
  body: Record<string, unknown>;
}
