import { createHash } from 'node:crypto';
import type { Metrics } from '../../observability/metrics.ts';
import type { Catalog, JsonObject, Logger, ServiceOffering, ServicePlan } from '../../plugin-api/index.ts';
import type { GuardedBackend } from '../../registry/guarded-backend.ts';
import type { StateStore } from '../../state/store.ts';
import type { ParameterCheck, SchemaValidators } from '../schema-validators.ts';
import { type CatalogAdjustment, fitOffering } from './cc-catalog-rules.ts';
import { namespaceCatalog } from './namespace-catalog.ts';

export class CatalogCollisionError extends Error {
  override readonly name = 'CatalogCollisionError';
}

export type SchemaKind = 'create' | 'update' | 'bind';

export interface PlanEntry {
  backend: GuardedBackend;
  publicServiceId: string;
  publicPlanId: string;
  /** The backend's own service and plan, as it sent them. */
  service: ServiceOffering;
  plan: ServicePlan;
  bindable: boolean;
  planUpdateable: boolean;
  secretParameters: ReadonlySet<string>;
  check(kind: SchemaKind): ParameterCheck | undefined;
}

export interface BackendCatalogStatus {
  source: 'live' | 'last-known' | 'none';
  error?: string;
  services: number;
}

interface Snapshot {
  json: string;
  catalog: Catalog;
}

export interface EncodedCatalog {
  body: Buffer;
  etag: string;
}

const FIRST_RETRY_MS = 1_000;

/**
 * The merged catalog: rebuilt only when a backend's catalog changes, published as pre-encoded bytes,
 * with an index from public plan/service ids to the backend's own.
 */
export class CatalogService {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly statuses = new Map<string, BackendCatalogStatus>();
  private readonly reported = new Set<string>();
  private plans = new Map<string, PlanEntry>();
  private services = new Map<string, { backend: GuardedBackend; service: ServiceOffering }>();
  private encodedCatalog: EncodedCatalog = CatalogService.encode([]);
  private currentAdjustments: CatalogAdjustment[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = FIRST_RETRY_MS;
  private refreshIntervalMs: number | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly backends: GuardedBackend[],
    private readonly store: StateStore,
    private readonly validators: SchemaValidators,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  private static encode(services: ServiceOffering[]): EncodedCatalog {
    const body = Buffer.from(JSON.stringify({ services }));
    return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
  }

  get encoded(): EncodedCatalog {
    return this.encodedCatalog;
  }

  get adjustments(): readonly CatalogAdjustment[] {
    return this.currentAdjustments;
  }

  status(backend: string): BackendCatalogStatus {
    return this.statuses.get(backend) ?? { source: 'none', services: 0 };
  }

  plan(publicPlanId: string): PlanEntry | undefined {
    return this.plans.get(publicPlanId);
  }

  service(publicServiceId: string): { backend: GuardedBackend; service: ServiceOffering } | undefined {
    return this.services.get(publicServiceId);
  }

  /** First build: an id or name collision between backends is a start-up error naming both. */
  async start(refreshIntervalMs: number): Promise<void> {
    this.refreshIntervalMs = refreshIntervalMs;
    await this.refresh(true);
    this.timer = setInterval(() => this.refreshInBackground(), refreshIntervalMs);
    this.timer.unref();
  }

  /** A timer's refresh: nobody awaits it, so its failure is logged here. */
  private refreshInBackground(): void {
    this.refresh(false).catch((error) => this.log.error({ err: error }, 'catalog refresh failed'));
  }

  stop(): void {
    this.refreshIntervalMs = undefined;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
  }

  refresh(strict = false): Promise<void> {
    this.refreshing ??= this.doRefresh(strict).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(strict: boolean): Promise<void> {
    const changed = await Promise.all(this.backends.map((backend) => this.readBackend(backend)));
    if (changed.some(Boolean) || strict) this.rebuild(strict);
    this.retryMissing();
  }

  /**
   * A backend with no catalog at all, not even a last-known one, has no services in the catalog: it is read
   * again after 1 s, 2 s, 4 s, … rather than only at the refresh interval, so a backend that was down at
   * start-up joins the catalog soon after it comes up.
   */
  private retryMissing(): void {
    const interval = this.refreshIntervalMs;
    const missing = this.backends.some((backend) => this.status(backend.name).source === 'none');
    if (!missing || interval === undefined) {
      this.retryDelayMs = FIRST_RETRY_MS;
      return;
    }
    if (this.retryTimer !== undefined || this.retryDelayMs >= interval) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.refreshInBackground();
    }, this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs *= 2;
  }

  /** Reads one backend's catalog; falls back to the last-known one. True when its catalog changed. */
  private async readBackend(backend: GuardedBackend): Promise<boolean> {
    const previous = this.snapshots.get(backend.name);
    try {
      const catalog = await backend.call('catalog', {}, (ctx) => backend.backend.catalog(ctx));
      const json = JSON.stringify(catalog);
      this.statuses.set(backend.name, { source: 'live', services: catalog.services?.length ?? 0 });
      if (previous?.json === json) return false;
      this.snapshots.set(backend.name, { json, catalog });
      await this.store.put('catalog', backend.name, catalog).catch((error: Error) => {
        this.log.warn({ backend: backend.name, err: error.message }, 'could not save the last-known catalog');
      });
      return true;
    } catch (error) {
      const message = (error as Error).message;
      this.metrics.catalogRefreshFailures.inc({ backend: backend.name });
      if (previous !== undefined) {
        this.statuses.set(backend.name, {
          source: 'last-known',
          error: message,
          services: previous.catalog.services.length,
        });
        return false;
      }
      const stored = await this.store.get<Catalog>('catalog', backend.name).catch(() => undefined);
      this.log.warn(
        { backend: backend.name, err: message, lastKnown: stored !== undefined },
        `catalog of backend "${backend.name}" unavailable${stored === undefined ? '' : '; serving its last-known catalog'}`,
      );
      if (stored === undefined) {
        this.statuses.set(backend.name, { source: 'none', error: message, services: 0 });
        return false;
      }
      this.snapshots.set(backend.name, { json: JSON.stringify(stored.value), catalog: stored.value });
      this.statuses.set(backend.name, { source: 'last-known', error: message, services: stored.value.services.length });
      return true;
    }
  }

  private rebuild(strict: boolean): void {
    const adjustments: CatalogAdjustment[] = [];
    const takenPlanIds = new Set<string>();
    const owners = new Map<string, string>();
    const published: ServiceOffering[] = [];
    const plans = new Map<string, PlanEntry>();
    const services = new Map<string, { backend: GuardedBackend; service: ServiceOffering }>();
    for (const backend of this.backends) {
      const snapshot = this.snapshots.get(backend.name);
      if (snapshot === undefined) continue;
      const upstream = new Map(snapshot.catalog.services.map((s) => [s.id, s]));
      for (const offering of namespaceCatalog(backend.name, backend.prefix, snapshot.catalog)) {
        const clash = this.claim(owners, backend.name, [`service id ${offering.id}`, `service name ${offering.name}`]);
        if (clash !== undefined) {
          if (strict && clash.betweenBackends) throw new CatalogCollisionError(clash.reason);
          adjustments.push({ backend: backend.name, serviceId: offering.id, action: 'dropped', reason: clash.reason });
          continue;
        }
        const fitted = fitOffering(offering, backend.name, takenPlanIds, adjustments);
        const original = upstream.get(offering.id.slice(backend.name.length + 1));
        if (fitted === undefined || original === undefined) continue;
        published.push(fitted);
        services.set(fitted.id, { backend, service: original });
        for (const plan of fitted.plans) {
          const originalPlan = original.plans.find((p) => `${backend.name}.${p.id}` === plan.id);
          if (originalPlan !== undefined)
            plans.set(plan.id, this.planEntry(backend, fitted.id, original, originalPlan));
        }
      }
    }
    this.reportAdjustments(adjustments);
    this.plans = plans;
    this.services = services;
    this.currentAdjustments = adjustments;
    this.encodedCatalog = CatalogService.encode(published);
  }

  /** Records which backend owns each public key; describes the first collision. */
  private claim(
    owners: Map<string, string>,
    backend: string,
    keys: string[],
  ): { reason: string; betweenBackends: boolean } | undefined {
    for (const key of keys) {
      const owner = owners.get(key);
      if (owner === backend) return { reason: `${key} appears twice in backend "${backend}"`, betweenBackends: false };
      if (owner !== undefined) {
        return {
          reason: `${key} is produced by both backend "${owner}" and backend "${backend}"; rename one backend or set its prefix`,
          betweenBackends: true,
        };
      }
    }
    for (const key of keys) owners.set(key, backend);
    return undefined;
  }

  private reportAdjustments(adjustments: CatalogAdjustment[]): void {
    for (const a of adjustments) {
      const key = `${a.backend}|${a.serviceId}|${a.planId ?? ''}|${a.action}|${a.reason}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.metrics.catalogAdjustments.inc({ backend: a.backend, action: a.action });
      this.log.warn(
        { backend: a.backend, serviceId: a.serviceId, planId: a.planId, action: a.action },
        `catalog entry ${a.action}: ${a.reason}`,
      );
    }
  }

  private planEntry(
    backend: GuardedBackend,
    publicServiceId: string,
    service: ServiceOffering,
    plan: ServicePlan,
  ): PlanEntry {
    const checks = new Map<SchemaKind, ParameterCheck | undefined>();
    const schemaOf = (kind: SchemaKind): JsonObject | undefined => {
      if (kind === 'create') return plan.schemas?.service_instance?.create?.parameters;
      if (kind === 'update') return plan.schemas?.service_instance?.update?.parameters;
      return plan.schemas?.service_binding?.create?.parameters;
    };
    return {
      backend,
      publicServiceId,
      publicPlanId: `${backend.name}.${plan.id}`,
      service,
      plan,
      bindable: plan.bindable ?? service.bindable,
      planUpdateable: plan.plan_updateable ?? service.plan_updateable ?? false,
      secretParameters: new Set(plan.secretParameters ?? []),
      check: (kind) => {
        if (!checks.has(kind)) {
          const schema = schemaOf(kind);
          checks.set(kind, schema === undefined ? undefined : this.validators.checkFor(schema));
        }
        return checks.get(kind);
      },
    };
  }
}
