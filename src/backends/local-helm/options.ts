import { type Static, Type } from '../../plugin-api/index.ts';

export const DEFAULT_CHARTS = ['mariadb', 'mongodb', 'mysql', 'postgresql', 'rabbitmq', 'redis'];

export const localHelmOptionsSchema = Type.Object({
  helmBinary: Type.String({
    default: 'helm',
    description:
      'Path of the `helm` executable (or a name looked up in PATH). Spawned directly, never through a shell.',
  }),
  repository: Type.String({
    description:
      'The Helm repository `index.yaml`: an http(s) URL or a file path (relative to the config file). Re-read on every catalog refresh.',
  }),
  repositoryName: Type.Optional(
    Type.String({
      description:
        'Name under which the repository was added with `helm repo add`; charts are then installed as `<repositoryName>/<chart>`. Without it the chart is installed with `--repo <repository URL>`, which needs an http(s) repository.',
    }),
  ),
  charts: Type.Array(Type.String(), {
    default: DEFAULT_CHARTS,
    description: 'Allow-list of chart names offered as services.',
  }),
  namespace: Type.String({
    default: 'default',
    description: 'Kubernetes namespace for releases when the request context carries no `namespace`.',
  }),
  kubeconfig: Type.Optional(
    Type.String({
      description:
        'Path of a kubeconfig file (relative to the config file), used by both `helm` and the Kubernetes API reads. Without it the in-cluster service account is used.',
    }),
  ),
  deletePvcs: Type.Boolean({
    default: true,
    description: 'On deprovision, also delete the PersistentVolumeClaims the release left behind (its data).',
  }),
  provisioningSettings: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), {
    default: {},
    description:
      'Per chart name: Helm values always applied on install and upgrade (e.g. `{ redis: { architecture: standalone } }`). Users cannot override them; a parameter that tries is rejected.',
  }),
  connectAddressOverrides: Type.Record(Type.String(), Type.String(), {
    default: {},
    description:
      'Where the broker itself connects to create per-binding database users, when the in-cluster Service address is not reachable from it: key a chart name or `<service>.<namespace>`, value `host:port`. Credentials still carry the in-cluster address.',
  }),
  helmTimeoutMs: Type.Integer({
    default: 20_000,
    minimum: 1000,
    description: 'How long one `helm` invocation may run before it is killed.',
  }),
});

export type LocalHelmOptions = Static<typeof localHelmOptionsSchema>;
