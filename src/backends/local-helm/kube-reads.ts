import {
  ApiException,
  type ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
  type V1Pod,
} from '@kubernetes/client-node';
import { errors } from '../../plugin-api/index.ts';

/** Bitnami (and most) charts label everything they create with the release name. */
export const releaseSelector = (release: string) => `app.kubernetes.io/instance=${release}`;

interface ReleaseListRequest {
  namespace: string;
  labelSelector: string;
}

/** Per-request options that end the request with the call (the generated client takes a signal only this way). */
function endingWith(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre(context: RequestContext) {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** The Kubernetes API reads (and the one delete) the backend needs, with errors mapped to the plugin table. */
export class KubeReads {
  private readonly core: CoreV1Api;
  /** The API server URL from the kubeconfig (no credentials). */
  readonly server: string;

  constructor(kubeconfigPath: string | undefined) {
    const config = new KubeConfig();
    if (kubeconfigPath === undefined) config.loadFromCluster();
    else config.loadFromFile(kubeconfigPath);
    this.server = config.getCurrentCluster()?.server ?? '(no cluster in kubeconfig)';
    this.core = config.makeApiClient(CoreV1Api);
  }

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (cause) {
      if (cause instanceof ApiException) {
        const body = typeof cause.body === 'string' ? cause.body : (JSON.stringify(cause.body) ?? '');
        // The client drops the body of a 401, which leaves nothing to say what to fix.
        const detail =
          body === '' && cause.code === 401
            ? 'Unauthorized: the kubeconfig or service account credentials were refused'
            : body;
        const message = `Kubernetes API at ${this.server} ${what}: HTTP ${cause.code} ${detail.slice(0, 300)}`;
        throw cause.code === 401 || cause.code === 403 || cause.code >= 500
          ? errors.unavailable(message, { cause })
          : errors.internal(message, { cause });
      }
      throw errors.unavailable(`Kubernetes API at ${this.server} unreachable (${what}): ${String(cause)}`, { cause });
    }
  }

  /** A list call for the objects of one kind that the release labelled, in its namespace. */
  private releaseObjects<T>(
    what: string,
    list: (request: ReleaseListRequest, options: ConfigurationOptions) => Promise<{ items: T[] }>,
  ) {
    return (namespace: string, release: string, signal: AbortSignal): Promise<T[]> =>
      this.call(`list ${what}`, async () => {
        const request = { namespace, labelSelector: releaseSelector(release) };
        return (await list(request, endingWith(signal))).items;
      });
  }

  readonly services = this.releaseObjects('services', (r, o) => this.core.listNamespacedService(r, o));
  readonly secrets = this.releaseObjects('secrets', (r, o) => this.core.listNamespacedSecret(r, o));
  readonly pods = this.releaseObjects('pods', (r, o) => this.core.listNamespacedPod(r, o));
  readonly persistentVolumeClaims = this.releaseObjects('persistentvolumeclaims', (r, o) =>
    this.core.listNamespacedPersistentVolumeClaim(r, o),
  );

  /** Deleting a claim that is already gone succeeds. */
  deletePersistentVolumeClaim(namespace: string, name: string, signal: AbortSignal): Promise<void> {
    return this.call('delete persistentvolumeclaim', async () => {
      try {
        await this.core.deleteNamespacedPersistentVolumeClaim({ name, namespace }, endingWith(signal));
      } catch (cause) {
        if (cause instanceof ApiException && cause.code === 404) return;
        throw cause;
      }
    });
  }
}

export function podIsReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods of finished Jobs (e.g. chart hooks) say nothing about readiness. */
export function podCounts(pod: V1Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.metadata?.deletionTimestamp === undefined;
}
