import {
  type Backend,
  type BackendDeps,
  type BindOutput,
  type BindRequest,
  type CallContext,
  type Catalog,
  type DeprovisionOutput,
  type DeprovisionRequest,
  done,
  errors,
  type HealthStatus,
  isBackendError,
  type LastOperationRequest,
  type OperationStatus,
  type Outcome,
  type ProvisionOutput,
  type ProvisionRequest,
  type UnbindOutput,
  type UnbindRequest,
  type UpdateOutput,
  type UpdateRequest,
  started,
} from '../../plugin-api/index.ts';
import { buildCatalog, type PlanTarget } from './catalog-builder.ts';
import type { ChartSource } from './chart-source.ts';
import { ChartValuesSchemas } from './chart-values-schema.ts';
import { helmValues } from './helm-values.ts';
import type { HelmRunner } from './helm-runner.ts';
import type { KubeReads } from './kube-reads.ts';
import type { LocalHelmOptions } from './options.ts';
import type { ChartProvider } from './providers/chart-provider.ts';
import { providerFor } from './providers/index.ts';
import { readReleaseEndpoint } from './release-endpoint.ts';
import {
  decodeToken,
  encodeToken,
  labelValueFor,
  locate,
  namespaceFrom,
  type ReleaseLocation,
  releaseNameFor,
} from './release-locator.ts';
import { installProgress } from './release-status.ts';

/** A release name no instance gets (those are `ob-<hash>`): the health read lists nothing, but needs the same rights. */
const HEALTH_RELEASE = 'omnibroker-health-check';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** A provider's database errors keep their own text; unreachable servers are `Unavailable`. */
async function providerCall<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    if (isBackendError(cause)) throw cause;
    const code = (cause as { code?: unknown }).code;
    const message = `${what}: ${cause instanceof Error ? cause.message : String(cause)}`;
    throw typeof code === 'string' && NETWORK_CODES.has(code)
      ? errors.unavailable(message, { cause })
      : errors.internal(message, { cause });
  }
}

export class LocalHelmBackend implements Backend {
  private plans = new Map<string, PlanTarget>();
  private readonly valuesSchemas: ChartValuesSchemas;

  constructor(
    private readonly options: LocalHelmOptions,
    private readonly deps: BackendDeps,
    private readonly helm: HelmRunner,
    private readonly kube: KubeReads,
    private readonly source: ChartSource,
  ) {
    this.valuesSchemas = new ChartValuesSchemas((target, signal) => source.loadArchive(target, signal), deps.log);
  }

  /** Both things an install needs, probed together so `doctor` reports every problem at once. */
  async health(ctx: CallContext): Promise<HealthStatus> {
    const { namespace } = this.options;
    const [helm, kube] = await Promise.allSettled([
      this.helm.version(ctx.signal),
      // Bind reads Secrets, the read RBAC most often withholds.
      this.kube.secrets(namespace, HEALTH_RELEASE, ctx.signal),
    ]);
    if (helm.status === 'fulfilled' && kube.status === 'fulfilled') {
      return {
        ok: true,
        detail: `helm ${helm.value} runs; Kubernetes API at ${this.kube.server} lists Secrets in namespace "${namespace}"`,
      };
    }
    const failures = [
      helm.status === 'rejected' ? (helm.reason as Error).message : undefined,
      kube.status === 'rejected' ? `${(kube.reason as Error).message} (namespace "${namespace}")` : undefined,
    ];
    return { ok: false, detail: failures.filter((f) => f !== undefined).join('; ') };
  }

  async catalog(ctx: CallContext): Promise<Catalog> {
    const index = await this.source.loadIndex(this.options.charts, ctx.signal);
    const built = buildCatalog(index, this.options.charts, (chart) => providerFor(chart).tags);
    for (const chart of this.options.charts) {
      if (!built.catalog.services.some((s) => s.id === chart)) {
        ctx.log.warn({ chart }, 'chart from the allow-list is not in the chart repository');
      }
    }
    this.plans = built.plans;
    await this.attachValuesSchemas(built.catalog, ctx);
    return built.catalog;
  }

  /** A plan's parameters are the chart's values: its values.schema.json, where the chart ships one. */
  private async attachValuesSchemas(catalog: Catalog, ctx: CallContext): Promise<void> {
    await this.valuesSchemas.readNew([...this.plans.values()], ctx.signal);
    for (const service of catalog.services) {
      for (const plan of service.plans) {
        const target = this.plans.get(plan.id);
        const schema = target === undefined ? undefined : this.valuesSchemas.schemaFor(target);
        if (schema === undefined) continue;
        plan.schemas = { service_instance: { create: { parameters: schema }, update: { parameters: schema } } };
      }
    }
  }

  private async planTarget(serviceId: string, planId: string, ctx: CallContext): Promise<PlanTarget> {
    if (!this.plans.has(planId)) await this.catalog(ctx);
    const target = this.plans.get(planId);
    if (target === undefined || target.chart !== serviceId) {
      throw errors.badRequest(`plan ${planId} is not a plan of service ${serviceId} in the chart repository`);
    }
    return target;
  }

  private keep(location: ReleaseLocation, chartVersion: string) {
    return { data: { release: location.release, namespace: location.namespace, chartVersion } };
  }

  async provision(request: ProvisionRequest, ctx: CallContext): Promise<Outcome<ProvisionOutput>> {
    if (!request.acceptsIncomplete) throw errors.asyncRequired('installing a Helm chart takes minutes');
    const target = await this.planTarget(request.serviceId, request.planId, ctx);
    const values = helmValues(request.parameters, this.options.provisioningSettings[target.chart]);
    const location: ReleaseLocation = {
      release: releaseNameFor(request.instanceId),
      namespace: namespaceFrom(request.context, this.options.namespace),
      chart: target.chart,
    };
    // A repeated provision (after a crash) finds the release it installed before.
    const existing = await this.helm.status(location.release, location.namespace, ctx.signal);
    if (existing === undefined) {
      ctx.log.info({ release: location.release, namespace: location.namespace, chart: target.chart }, 'helm install');
      await this.source.prepareHelm?.(this.helm, ctx.signal);
      await this.helm.install(
        location.release,
        this.source.reference(target.chart, target.chartVersion),
        {
          namespace: location.namespace,
          labels: { 'omnibroker-instance': labelValueFor(request.instanceId), 'omnibroker-backend': this.deps.name },
          values,
        },
        ctx.signal,
      );
    }
    const token = encodeToken({ op: 'provision', ...location, chartVersion: target.chartVersion });
    return started(token, this.keep(location, target.chartVersion));
  }

  async update(request: UpdateRequest, ctx: CallContext): Promise<Outcome<UpdateOutput>> {
    if (!request.acceptsIncomplete) throw errors.asyncRequired('upgrading a Helm release takes minutes');
    const location = locate(request.instance, this.options.namespace);
    const target = await this.planTarget(request.instance.serviceId, request.planId, ctx);
    const values = helmValues(request.parameters, this.options.provisioningSettings[target.chart]);
    ctx.log.info({ release: location.release, chartVersion: target.chartVersion }, 'helm upgrade');
    await this.source.prepareHelm?.(this.helm, ctx.signal);
    const upgraded = await this.helm.upgrade(
      location.release,
      this.source.reference(target.chart, target.chartVersion),
      { namespace: location.namespace, values },
      ctx.signal,
    );
    if (!upgraded) throw errors.notFound(`helm has no release ${location.release} in ${location.namespace}`);
    const token = encodeToken({ op: 'update', ...location, chartVersion: target.chartVersion });
    return started(token, this.keep(location, target.chartVersion));
  }

  private async deleteClaims(location: ReleaseLocation, signal: AbortSignal): Promise<number> {
    if (!this.options.deletePvcs) return 0;
    const claims = await this.kube.persistentVolumeClaims(location.namespace, location.release, signal);
    const live = claims.filter((c) => c.metadata?.deletionTimestamp === undefined);
    for (const claim of live) {
      if (claim.metadata?.name !== undefined) {
        await this.kube.deletePersistentVolumeClaim(location.namespace, claim.metadata.name, signal);
      }
    }
    return claims.length;
  }

  async deprovision(request: DeprovisionRequest, ctx: CallContext): Promise<Outcome<DeprovisionOutput>> {
    const location = locate(request.instance, this.options.namespace);
    ctx.log.info({ release: location.release, namespace: location.namespace }, 'helm uninstall');
    await this.helm.uninstall(location.release, location.namespace, ctx.signal);
    await this.deleteClaims(location, ctx.signal);
    if (!request.acceptsIncomplete) return done({});
    return started(encodeToken({ op: 'deprovision', ...location }));
  }

  async lastOperation(request: LastOperationRequest, ctx: CallContext): Promise<OperationStatus> {
    const token = decodeToken(request.operation);
    const release = await this.helm.status(token.release, token.namespace, ctx.signal);
    if (token.op !== 'deprovision') {
      const progress = await installProgress(release, this.kube, token, ctx.signal);
      return progress.state === 'succeeded' && token.chartVersion !== undefined
        ? { ...progress, output: this.keep(token, token.chartVersion) }
        : progress;
    }
    if (release !== undefined) {
      // A DELETE that raced an install: uninstall again whatever the install left.
      await this.helm.uninstall(token.release, token.namespace, ctx.signal);
      return { state: 'in progress', description: `helm release is ${release.info.status}` };
    }
    const pods = await this.kube.pods(token.namespace, token.release, ctx.signal);
    const claims = await this.deleteClaims(token, ctx.signal);
    if (pods.length > 0 || claims > 0) {
      return { state: 'in progress', description: `${pods.length} pods and ${claims} volume claims still terminating` };
    }
    return { state: 'succeeded', description: 'release uninstalled' };
  }

  private async endpoint(location: ReleaseLocation, provider: ChartProvider, ctx: CallContext) {
    const values = await this.helm.getValues(location.release, location.namespace, ctx.signal);
    if (values === undefined) return undefined;
    return readReleaseEndpoint({
      kube: this.kube,
      provider,
      ...location,
      values,
      overrides: this.options.connectAddressOverrides,
      signal: ctx.signal,
    });
  }

  async bind(request: BindRequest, ctx: CallContext): Promise<Outcome<BindOutput>> {
    const location = locate(request.instance, this.options.namespace);
    const provider = providerFor(location.chart);
    const endpoint = await this.endpoint(location, provider, ctx);
    if (endpoint === undefined) {
      throw errors.internal(`helm has no release ${location.release} in ${location.namespace} to bind to`);
    }
    const binding = await providerCall(`binding to ${location.chart} release ${location.release}`, () =>
      provider.bind(endpoint, request.bindingId, ctx.signal),
    );
    return done({ credentials: binding.credentials, ...(binding.data === undefined ? {} : { data: binding.data }) });
  }

  async unbind(request: UnbindRequest, ctx: CallContext): Promise<Outcome<UnbindOutput>> {
    const location = locate(request.instance, this.options.namespace);
    const provider = providerFor(location.chart);
    const { unbind } = provider;
    if (unbind === undefined) return done({});
    const endpoint = await this.endpoint(location, provider, ctx);
    // No release, no user left to revoke.
    if (endpoint !== undefined) {
      await providerCall(`unbinding from ${location.chart} release ${location.release}`, () =>
        unbind(endpoint, request.binding.data, ctx.signal),
      );
    }
    return done({});
  }
}
