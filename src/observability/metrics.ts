import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type RequestLabels = { route: string; method: string; status: string };

type StatusCounts = Map<number, { labels: RequestLabels; count: number }>;

function entryOf<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/**
 * HTTP requests are counted in plain numbers and handed to prom-client when /metrics is read: prom-client hashes
 * the label values on every inc(), which cost more than the rest of a poll's bookkeeping. The counts are found
 * by route and method (the same string objects on every request, so their hashes are cached) and status number,
 * not by a key string built per request.
 */
export class RequestCounter {
  private readonly byRoute = new Map<string, Map<string, StatusCounts>>();

  constructor(registry: Registry) {
    const byRoute = this.byRoute;
    new Counter({
      name: 'omnibroker_http_requests_total',
      help: 'OSB and operational HTTP requests by route, method and status code.',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
      collect() {
        for (const byMethod of byRoute.values())
          for (const byStatus of byMethod.values())
            for (const entry of byStatus.values()) {
              if (entry.count === 0) continue;
              this.inc(entry.labels, entry.count);
              entry.count = 0;
            }
      },
    });
  }

  count(route: string, method: string, status: number): void {
    const byStatus = entryOf(
      entryOf(this.byRoute, route, () => new Map()),
      method,
      () => new Map(),
    );
    entryOf(byStatus, status, () => ({ labels: { route, method, status: String(status) }, count: 0 })).count += 1;
  }
}

export const BREAKER_STATE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

/** One registry per broker (tests run several brokers in one process). */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new RequestCounter(this.registry);

  readonly backendCalls = new Histogram({
    name: 'omnibroker_backend_call_duration_seconds',
    help: 'Backend call latency by backend, operation and outcome (ok, user_error, error, timeout, rejected).',
    labelNames: ['backend', 'operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly breakerState = new Gauge({
    name: 'omnibroker_breaker_state',
    help: 'Circuit breaker state per backend: 0 closed, 1 half-open, 2 open.',
    labelNames: ['backend'] as const,
    registers: [this.registry],
  });

  readonly breakerTransitions = new Counter({
    name: 'omnibroker_breaker_transitions_total',
    help: 'Circuit breaker state changes per backend and new state.',
    labelNames: ['backend', 'state'] as const,
    registers: [this.registry],
  });

  readonly operationsInProgress = new Gauge({
    name: 'omnibroker_operations_in_progress',
    help: 'Asynchronous operations not yet finished (as of the last sweep).',
    registers: [this.registry],
  });

  readonly oldestOperationAge = new Gauge({
    name: 'omnibroker_oldest_operation_age_seconds',
    help: 'Age of the oldest unfinished operation (as of the last sweep).',
    registers: [this.registry],
  });

  readonly storeErrors = new Counter({
    name: 'omnibroker_store_errors_total',
    help: 'State store calls that failed (store unreachable or erroring).',
    registers: [this.registry],
  });

  readonly leaseConflicts = new Counter({
    name: 'omnibroker_lease_conflicts_total',
    help: 'Mutations refused or queued because another mutation held the lease.',
    registers: [this.registry],
  });

  readonly catalogAdjustments = new Counter({
    name: 'omnibroker_catalog_adjustments_total',
    help: 'Catalog entries rewritten or dropped so Cloud Foundry accepts the merged catalog.',
    labelNames: ['backend', 'action'] as const,
    registers: [this.registry],
  });

  readonly catalogRefreshFailures = new Counter({
    name: 'omnibroker_catalog_refresh_failures_total',
    help: 'Backend catalog reads that failed (the last-known catalog is served meanwhile).',
    labelNames: ['backend'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'omnibroker_' });
  }
}
