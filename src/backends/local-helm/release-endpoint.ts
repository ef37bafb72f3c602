import type { V1Secret, V1Service } from '@kubernetes/client-node';
import { errors, type JsonObject } from '../../plugin-api/index.ts';
import type { KubeReads } from './kube-reads.ts';
import type { ChartProvider, ReleaseEndpoint } from './providers/chart-provider.ts';

const PRIMARY_COMPONENTS = new Set(['primary', 'master']);

/**
 * The release's client Service: the primary/master one when the chart has several, and a headless one only when
 * there is nothing else (a MongoDB replica set, whose headless name resolves to its members).
 */
function pickService(services: V1Service[]): V1Service | undefined {
  const byName = [...services].sort((a, b) => (a.metadata?.name ?? '').length - (b.metadata?.name ?? '').length);
  const routed = byName.filter((s) => s.spec?.clusterIP !== 'None');
  const candidates = routed.length > 0 ? routed : byName;
  return (
    candidates.find((s) => PRIMARY_COMPONENTS.has(s.metadata?.labels?.['app.kubernetes.io/component'] ?? '')) ??
    candidates[0]
  );
}

function pickPort(service: V1Service, provider: ChartProvider): number | undefined {
  const ports = service.spec?.ports ?? [];
  for (const name of provider.portNames) {
    const byName = ports.find((p) => p.name === name);
    if (byName !== undefined) return byName.port;
  }
  return (ports.find((p) => p.port === provider.defaultPort) ?? ports[0])?.port;
}

function pickSecret(secrets: V1Secret[], provider: ChartProvider): V1Secret | undefined {
  const own = secrets.filter((s) => s.type !== 'helm.sh/release.v1');
  const key = provider.secretKey;
  return key === undefined ? own[0] : (own.find((s) => s.data?.[key] !== undefined) ?? own[0]);
}

function decode(secret: V1Secret | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret?.data ?? {}))
    out[key] = Buffer.from(value, 'base64').toString('utf8');
  return out;
}

interface Address {
  host: string;
  port: number;
}

function parseHostPort(address: string, where: string): Address {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port)) {
    throw errors.internal(`connectAddressOverrides.${where}: "${address}" is not host:port`);
  }
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port };
}

/** The first override among `keys` (most specific first), else the in-cluster address. */
function connectAddress(overrides: Record<string, string>, keys: string[], inCluster: Address): Address {
  for (const key of keys) {
    const override = overrides[key];
    if (override !== undefined) return parseHostPort(override, key);
  }
  return inCluster;
}

function managementAddressOf(
  service: V1Service | undefined,
  provider: ChartProvider,
  overrides: Record<string, string>,
  overrideKeys: string[],
  host: string,
): Address | undefined {
  const name = provider.managementPortName;
  const port = service?.spec?.ports?.find((p) => p.name === name)?.port;
  if (name === undefined || port === undefined) return undefined;
  // Kubernetes port names cannot contain `/`, so `<key>/<port name>` never collides with a client-port key.
  const keys = overrideKeys.map((key) => `${key}/${name}`);
  return connectAddress(overrides, keys, { host, port });
}

export async function readReleaseEndpoint(input: {
  kube: KubeReads;
  provider: ChartProvider;
  chart: string;
  release: string;
  namespace: string;
  values: JsonObject;
  overrides: Record<string, string>;
  signal: AbortSignal;
}): Promise<ReleaseEndpoint> {
  const { kube, provider, chart, release, namespace, signal } = input;
  const [services, secrets] = await Promise.all([
    kube.services(namespace, release, signal),
    kube.secrets(namespace, release, signal),
  ]);
  const service = pickService(services);
  const serviceName = service?.metadata?.name;
  const port = service === undefined ? undefined : pickPort(service, provider);
  if (serviceName === undefined || port === undefined) {
    throw errors.internal(`release ${release} in namespace ${namespace} has no Service with a client port (yet)`);
  }
  const secret = pickSecret(secrets, provider);
  const host = `${serviceName}.${namespace}.svc.cluster.local`;
  const overrideKeys = [`${serviceName}.${namespace}`, chart];
  const connect = connectAddress(input.overrides, overrideKeys, { host, port });
  const managementAddress = managementAddressOf(service, provider, input.overrides, overrideKeys, host);
  const secretName = secret?.metadata?.name;
  return {
    chart,
    release,
    namespace,
    serviceName,
    host,
    port,
    connectHost: connect.host,
    connectPort: connect.port,
    ...(managementAddress === undefined ? {} : { managementAddress }),
    ...(secretName === undefined ? {} : { secretName }),
    secret: decode(secret),
    values: input.values,
  };
}
