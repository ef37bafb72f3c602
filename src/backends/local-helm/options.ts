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
      'Where the charts are: a Helm repository `index.yaml` (an http(s) URL or a file path relative to the config file, re-read on every catalog refresh), or an OCI registry `oci://<host>[:port]/<path>` (e.g. `oci://registry-1.docker.io/bitnamicharts`), where chart `<chart>` is the repository `<path>/<chart>` and its tags are the chart versions.',
  }),
  repositoryName: Type.Optional(
    Type.String({
      description:
        'Name under which the repository was added with `helm repo add`; charts are then installed as `<repositoryName>/<chart>`. Without it the chart is installed with `--repo <repository URL>`, which needs an http(s) repository. Not for an `oci://` repository, whose charts are installed as `oci://<host>/<path>/<chart>`.',
    }),
  ),
  registryUsername: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'OCI registries only: user for the registry token service (with `registryPassword`). Without it the registry is read anonymously (Docker Hub hands out anonymous pull tokens for public repositories).',
    }),
  ),
  registryPassword: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'OCI registries only: password or access token of `registryUsername`; interpolate it from the environment. Used for the catalog reads and given to `helm registry login` on standard input before the first install or upgrade. Never logged.',
    }),
  ),
  registryPlainHttp: Type.Boolean({
    default: false,
    description:
      'OCI registries only: talk to the registry over plain HTTP instead of HTTPS (helm `--plain-http`), for a registry inside a trusted network or a test.',
  }),
  registryMaxVersions: Type.Integer({
    default: 10,
    minimum: 1,
    maximum: 100,
    description:
      'OCI registries only: per chart, how many of the newest chart versions (tags, by semver) are read. Each new one costs one manifest and one config read, once per process; Docker Hub counts manifest reads against its pull rate limit.',
  }),
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
      "Where the broker itself connects to create per-binding database users, when the in-cluster Service address is not reachable from it: key a chart name or `<service>.<namespace>`, value `host:port`. A second port the broker talks to (RabbitMQ's management API, Service port `http-stats`) is keyed `<chart>/<port name>` or `<service>.<namespace>/<port name>`. Credentials still carry the in-cluster address.",
  }),
  helmTimeoutMs: Type.Integer({
    default: 20_000,
    minimum: 1000,
    description: 'How long one `helm` invocation may run before it is killed.',
  }),
});

export type LocalHelmOptions = Static<typeof localHelmOptionsSchema>;
