import { type Credentials, type JsonObject, type SqlEngine, sqlCredentials } from '../../../plugin-api/index.ts';

/** Where a release's client endpoint lives, and the Secret and values it was installed with. */
export interface ReleaseEndpoint {
  chart: string;
  release: string;
  namespace: string;
  serviceName: string;
  /** In-cluster DNS name of the Service: what applications in the cluster connect to. */
  host: string;
  port: number;
  /** Where the broker itself connects (differs from host/port only with `connectAddressOverrides`). */
  connectHost: string;
  connectPort: number;
  /** Where the broker reaches the provider's `managementPortName` port, when the Service exposes one. */
  managementAddress?: { host: string; port: number };
  secretName?: string;
  /** Decoded data of the release's Secret. */
  secret: Record<string, string>;
  /** User-supplied values of the release (`helm get values`). */
  values: JsonObject;
}

export interface ProviderBinding {
  credentials: Credentials;
  /** Kept with the binding and handed back to `unbind`. */
  data?: JsonObject;
}

/** What one chart's credentials look like, and how a per-binding user is made and revoked. */
export interface ChartProvider {
  tags: string[];
  /** Service port names this chart gives its client port, in order of preference. */
  portNames: string[];
  defaultPort: number;
  /** Name of a second Service port the broker itself talks to (an admin API beside the client port). */
  managementPortName?: string;
  /** Secret key that identifies the release's credentials Secret among several. */
  secretKey?: string;
  /** `signal` is the call's: when it aborts, the provider closes its connection to the release. */
  bind(endpoint: ReleaseEndpoint, bindingId: string, signal: AbortSignal): Promise<ProviderBinding>;
  unbind?(endpoint: ReleaseEndpoint, bindingData: JsonObject, signal: AbortSignal): Promise<void>;
}

export const PROVIDER_NAME = 'helm-bitnami';

/** A nested value from Helm values (`auth.database`) when it is a non-empty string. */
export function valueAt(values: JsonObject, path: string): string | undefined {
  let node: unknown = values;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' && node !== '' ? node : undefined;
}

export function requireSecretKey(endpoint: ReleaseEndpoint, key: string): string {
  const value = endpoint.secret[key];
  if (value === undefined) {
    throw new Error(`the Secret of release ${endpoint.release} in ${endpoint.namespace} has no key "${key}"`);
  }
  return value;
}

/** A per-binding SQL user as a binding: credentials at the in-cluster address, the username kept for unbind. */
export function sqlUserBinding(
  engine: SqlEngine,
  endpoint: ReleaseEndpoint,
  user: { database: string; username: string; password: string },
): ProviderBinding {
  return {
    credentials: sqlCredentials({ engine, provider: PROVIDER_NAME, host: endpoint.host, port: endpoint.port, ...user }),
    data: { username: user.username },
  };
}
