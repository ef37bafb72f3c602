import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Secret,
  type V1Service,
} from '@kubernetes/client-node';
import { errors } from '../../plugin-api/index.ts';

/** Bitnami (and most) charts label everything they create with the release name. */
export const releaseSelector = (release: string) => `app.kubernetes.io/instance=${release}`;

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

  services(namespace: string, release: string): Promise<V1Service[]> {
    return this.call('list services', async () => {
      const list = await this.core.listNamespacedService({ namespace, labelSelector: releaseSelector(release) });
      return list.items;
    });
  }

  secrets(namespace: string, release: string): Promise<V1Secret[]> {
    return this.call('list secrets', async () => {
      const list = await this.core.listNamespacedSecret({ namespace, labelSelector: releaseSelector(release) });
      return list.items;
    });
  }

  pods(namespace: string, release: string): Promise<V1Pod[]> {
    return this.call('list pods', async () => {
      const list = await this.core.listNamespacedPod({ namespace, labelSelector: releaseSelector(release) });
      return list.items;
    });
  }

  persistentVolumeClaims(namespace: string, release: string): Promise<V1PersistentVolumeClaim[]> {
    return this.call('list persistentvolumeclaims', async () => {
      const list = await this.core.listNamespacedPersistentVolumeClaim({
        namespace,
        labelSelector: releaseSelector(release),
      });
      return list.items;
    });
  }

  /** Deleting a claim that is already gone succeeds. */
  deletePersistentVolumeClaim(namespace: string, name: string): Promise<void> {
    return this.call('delete persistentvolumeclaim', async () => {
      try {
        await this.core.deleteNamespacedPersistentVolumeClaim({ name, namespace });
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
