import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfig } from '../../src/config/load-config.ts';
import { interpolateEnv } from '../../src/config/interpolate.ts';
import { type Manifest, renderChart } from './render-chart.ts';
import { CUSTOM_KINDS, validateManifest } from './validate-manifest.ts';

const REQUIRED = {
  auth: { password: 'platform-password' },
  encryption: {
    keys: [
      { id: 'k2', secret: 'k2'.repeat(16) },
      { id: 'k1', secret: 'k1'.repeat(16) },
    ],
  },
  state: { redis: { url: 'redis://redis.data:6379/0' } },
};
const EVERYTHING = {
  ...REQUIRED,
  clusterServiceBroker: { enabled: true },
  networkPolicy: { enabled: true, ingressFrom: [{ namespaceSelector: { matchLabels: { name: 'catalog' } } }] },
  metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true }, dashboard: { enabled: true } },
  serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/omnibroker' } },
  podLabels: { 'azure.workload.identity/use': 'true' },
  extraEnv: [{ name: 'LEGACY_PW', value: 'x' }],
};

type Container = {
  ports: { name: string; containerPort: number }[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
};
type PodSpec = { securityContext: { runAsNonRoot: boolean; runAsUser: number }; containers: Container[] };
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const find = (manifests: Manifest[], kind: string, name?: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} rendered`);
  return found;
};
const render = (values: Record<string, unknown>) => renderChart(values).map((r) => r.manifest);
const podSpec = (manifests: Manifest[]) =>
  (find(manifests, 'Deployment').spec as { template: { spec: PodSpec } }).template.spec;
const container = (manifests: Manifest[]) => podSpec(manifests).containers[0] as Container;
const secretData = (manifests: Manifest[]) =>
  Object.fromEntries(
    Object.entries((find(manifests, 'Secret').data ?? {}) as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]),
  );

/** The environment the pod gets: literal values and the chart's Secret (other Secrets: a placeholder). */
function podEnv(manifests: Manifest[]): Record<string, string> {
  const secrets = manifests.some((m) => m.kind === 'Secret') ? secretData(manifests) : {};
  return Object.fromEntries(
    container(manifests).env.map((e) => [
      e.name,
      e.value ??
        secrets[e.valueFrom?.secretKeyRef.key ?? ''] ??
        `from-${e.valueFrom?.secretKeyRef.name}`.padEnd(32, '-'),
    ]),
  );
}
const brokerConfig = (manifests: Manifest[]) =>
  validateConfig(
    interpolateEnv(
      parse((find(manifests, 'ConfigMap', 'ob-omnibroker').data as Record<string, string>)['omnibroker.yaml'] ?? ''),
      podEnv(manifests),
    ),
  );

describe('the Helm chart', () => {
  it('renders manifests that all pass the Kubernetes schemas, the optional ones included', () => {
    const rendered = renderChart(EVERYTHING);
    for (const { manifest } of rendered) validateManifest(manifest);
    const kinds = new Set(rendered.map((r) => r.manifest.kind));
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'Secret', 'ConfigMap', 'ServiceAccount']) {
      expect(kinds).toContain(kind);
    }
    expect(kinds).toContain('NetworkPolicy');
    expect(rendered.filter((r) => CUSTOM_KINDS.has(`${r.manifest.apiVersion}/${r.manifest.kind}`))).toHaveLength(3);
  });

  it('runs two non-root replicas probed on /readyz and /healthz at the broker port, spread by a PDB', () => {
    const manifests = render(REQUIRED);
    expect((find(manifests, 'Deployment').spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
    const spec = podSpec(manifests);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const main = container(manifests);
    expect(main.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(main.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(main.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(main.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: 8080 })]);
    const service = find(manifests, 'Service').spec as { ports: { targetPort: string }[] };
    expect(service.ports[0]?.targetPort).toBe('http');
    expect((find(manifests, 'PodDisruptionBudget').spec as { minAvailable: number }).minAvailable).toBe(1);
  });

  it('writes a config the broker accepts, with secrets only as env references filled from the Secret', () => {
    const manifests = render(REQUIRED);
    const text = (find(manifests, 'ConfigMap').data as Record<string, string>)['omnibroker.yaml'] ?? '';
    expect(text).not.toContain('platform-password');
    expect(text).not.toContain('k2k2');
    const config = brokerConfig(manifests);
    expect(config.auth.basic).toEqual([{ username: 'platform', password: 'platform-password' }]);
    expect(config.encryption.keys).toEqual([
      { id: 'k2', secret: 'k2'.repeat(16) },
      { id: 'k1', secret: 'k1'.repeat(16) },
    ]);
    expect(config.state).toMatchObject({ type: 'redis', url: 'redis://redis.data:6379/0' });
    expect(config.backends.map((b) => b.type)).toEqual(['local-helm']);
  });

  it('uses an existing Secret instead of its own when told to', () => {
    const manifests = render({
      ...REQUIRED,
      auth: {},
      existingSecret: 'managed',
      encryption: { keys: [{ id: 'k1' }] },
    });
    expect(manifests.some((m) => m.kind === 'Secret')).toBe(false);
    const refs = container(manifests).env.flatMap((e) => (e.valueFrom ? [e.valueFrom.secretKeyRef] : []));
    expect(refs).toEqual([
      { name: 'managed', key: 'username' },
      { name: 'managed', key: 'password' },
      { name: 'managed', key: 'encryption-key-k1' },
    ]);
  });

  it('refuses values that would not run: no password, no key, memory state with two replicas', () => {
    expect(() => render({ ...REQUIRED, auth: { password: '' } })).toThrow(/auth.password is required/);
    expect(() => render({ ...REQUIRED, encryption: { keys: [] } })).toThrow(/encryption.keys needs at least one/);
    expect(() => render({ ...REQUIRED, state: { type: 'memory' } })).toThrow(/replicaCount to 1/);
    expect(() => render({ ...REQUIRED, state: { redis: { url: '' } } })).toThrow(/state.redis.url is required/);
    expect(brokerConfig(render({ ...REQUIRED, replicaCount: 1, state: { type: 'memory' } })).state).toEqual({
      type: 'memory',
    });
  });

  it('points at the Redis subchart and its password Secret when redis.enabled', () => {
    const manifests = render({ ...REQUIRED, redis: { enabled: true }, state: { redis: { url: '' } } });
    expect(brokerConfig(manifests).state).toMatchObject({ type: 'redis', url: 'redis://ob-redis-master:6379/0' });
    const env = container(manifests).env.find((e) => e.name === 'OMNIBROKER_REDIS_PASSWORD');
    expect(env?.valueFrom?.secretKeyRef).toEqual({ name: 'ob-redis', key: 'redis-password' });
    const chart = parse(
      readFileSync(join(import.meta.dirname, '../../infra/kubernetes/omnibroker/Chart.yaml'), 'utf8'),
    );
    expect(chart.dependencies).toEqual([expect.objectContaining({ name: 'redis', condition: 'redis.enabled' })]);
  });

  it('configures Sentinel, a Redis password and DynamoDB from values', () => {
    const sentinels = [{ host: 'sentinel-0', port: 26379 }];
    const redis = brokerConfig(
      render({ ...REQUIRED, state: { redis: { url: 'redis://r:6379/0', password: 'redis-pass', sentinels } } }),
    );
    expect(redis.state).toMatchObject({ password: 'redis-pass', sentinels, sentinelName: 'mymaster' });
    const dynamo = brokerConfig(render({ ...REQUIRED, state: { type: 'dynamodb', dynamodb: { table: 'ob-state' } } }));
    expect(dynamo.state).toEqual({ type: 'dynamodb', table: 'ob-state', region: 'eu-west-1' });
  });

  it('registers one ClusterServiceBroker only when asked, with the basic-auth Secret and relist behaviour', () => {
    expect(render(REQUIRED).some((m) => m.kind === 'ClusterServiceBroker')).toBe(false);
    const manifests = render({ ...REQUIRED, clusterServiceBroker: { enabled: true } });
    const brokers = manifests.filter((m) => m.kind === 'ClusterServiceBroker');
    expect(brokers).toHaveLength(1);
    expect(brokers[0]?.apiVersion).toBe('servicecatalog.k8s.io/v1beta1');
    expect(brokers[0]?.spec).toEqual({
      url: 'http://ob-omnibroker.brokers.svc.cluster.local:8080',
      authInfo: { basic: { secretRef: { name: 'ob-omnibroker', namespace: 'brokers' } } },
      relistBehavior: 'Duration',
      relistDuration: '15m0s',
    });
    expect(Object.keys(secretData(manifests))).toEqual(expect.arrayContaining(['username', 'password']));
    const manual = render({ ...REQUIRED, clusterServiceBroker: { enabled: true, relistBehavior: 'Manual' } });
    expect(find(manual, 'ClusterServiceBroker').spec).not.toHaveProperty('relistDuration');
  });

  it('grants what the local-helm backend does: helm installs, reads of services/secrets/pods/PVCs, PVC deletes', () => {
    const allows = (rules: Rule[], resource: string, verb: string) =>
      rules.some((r) => r.apiGroups.includes('') && r.resources.includes(resource) && r.verbs.includes(verb));
    for (const manifests of [render(REQUIRED), render({ ...REQUIRED, rbac: { clusterWide: true } })]) {
      const role = manifests.find(
        (m) => ['Role', 'ClusterRole'].includes(m.kind) && m.metadata.name === 'ob-omnibroker',
      );
      const rules = (role?.rules ?? []) as Rule[];
      for (const resource of ['services', 'secrets', 'pods', 'persistentvolumeclaims']) {
        expect(allows(rules, resource, 'list')).toBe(true);
      }
      expect(allows(rules, 'persistentvolumeclaims', 'delete')).toBe(true);
      expect(allows(rules, 'secrets', 'create')).toBe(true);
      expect(
        allows(find(manifests, 'ClusterRole', 'ob-omnibroker-namespaces').rules as Rule[], 'namespaces', 'create'),
      ).toBe(true);
    }
    const namespaced = render({ ...REQUIRED, rbac: { serviceNamespaces: ['team-a', 'team-b'] } });
    expect(namespaced.filter((m) => m.kind === 'RoleBinding').map((m) => m.metadata.namespace)).toEqual([
      'team-a',
      'team-b',
    ]);
    expect(find(namespaced, 'RoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'ob-omnibroker', namespace: 'brokers' },
    ]);
  });
});
