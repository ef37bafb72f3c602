// What Bitnami charts create in the cluster, reduced to the objects the broker reads: Services, the
// credentials Secret, pods and volume claims, with the charts' real names, labels, ports and Secret keys.
import { randomBytes } from 'node:crypto';

const CHARTS = {
  mariadb: {
    services: [
      { suffix: '', component: 'primary', ports: [['mysql', 3306]] },
      { suffix: '-headless', component: 'primary', headless: true, ports: [['mysql', 3306]] },
    ],
    secret: { 'mariadb-root-password': 'auth.rootPassword', 'mariadb-password': ['auth.password', 'auth.username'] },
    pods: [{ suffix: '-0', component: 'primary' }],
    claims: [{ name: (f) => `data-${f}-0`, component: 'primary' }],
  },
  mysql: {
    services: [
      { suffix: '', component: 'primary', ports: [['mysql', 3306]] },
      { suffix: '-headless', component: 'primary', headless: true, ports: [['mysql', 3306]] },
    ],
    secret: { 'mysql-root-password': 'auth.rootPassword', 'mysql-password': ['auth.password', 'auth.username'] },
    pods: [{ suffix: '-0', component: 'primary' }],
    claims: [{ name: (f) => `data-${f}-0`, component: 'primary' }],
  },
  postgresql: {
    services: [
      { suffix: '', component: 'primary', ports: [['tcp-postgresql', 5432]] },
      { suffix: '-hl', component: 'primary', headless: true, ports: [['tcp-postgresql', 5432]] },
    ],
    secret: { 'postgres-password': 'auth.postgresPassword', password: ['auth.password', 'auth.username'] },
    pods: [{ suffix: '-0', component: 'primary' }],
    claims: [{ name: (f) => `data-${f}-0`, component: 'primary' }],
  },
  mongodb: {
    services: [{ suffix: '', component: 'mongodb', ports: [['mongodb', 27017]] }],
    secret: { 'mongodb-root-password': 'auth.rootPassword', 'mongodb-passwords': ['auth.passwords', 'auth.usernames'] },
    pods: [{ suffix: '-6d9f7c8b5-x2k4q', component: 'mongodb' }],
    // Standalone MongoDB's claim is a chart template: helm uninstall removes it itself.
    ownedClaims: [{ name: (f) => f, component: 'mongodb' }],
    claims: [],
  },
  // Bitnami's mongodb with `architecture: replicaset`: a StatefulSet behind a headless Service only.
  'mongodb/replicaset': {
    services: [{ suffix: '-headless', component: 'mongodb', headless: true, ports: [['mongodb', 27017]] }],
    secret: { 'mongodb-root-password': 'auth.rootPassword', 'mongodb-passwords': ['auth.passwords', 'auth.usernames'] },
    pods: [
      { suffix: '-0', component: 'mongodb' },
      { suffix: '-1', component: 'mongodb' },
    ],
    claims: [
      { name: (f) => `datadir-${f}-0`, component: 'mongodb' },
      { name: (f) => `datadir-${f}-1`, component: 'mongodb' },
    ],
  },
  redis: {
    services: [
      { suffix: '-headless', headless: true, ports: [['tcp-redis', 6379]] },
      { suffix: '-master', component: 'master', ports: [['tcp-redis', 6379]] },
      { suffix: '-replicas', component: 'replica', ports: [['tcp-redis', 6379]] },
    ],
    secret: { 'redis-password': 'auth.password' },
    pods: [
      { suffix: '-master-0', component: 'master' },
      { suffix: '-replicas-0', component: 'replica' },
    ],
    claims: [
      { name: (f) => `redis-data-${f}-master-0`, component: 'master' },
      { name: (f) => `redis-data-${f}-replicas-0`, component: 'replica' },
    ],
  },
  rabbitmq: {
    services: [
      {
        suffix: '',
        ports: [
          ['amqp', 5672],
          ['epmd', 4369],
          ['dist', 25672],
          ['http-stats', 15672],
        ],
      },
      {
        suffix: '-headless',
        headless: true,
        ports: [
          ['epmd', 4369],
          ['amqp', 5672],
          ['dist', 25672],
          ['http-stats', 15672],
        ],
      },
    ],
    secret: { 'rabbitmq-password': 'auth.password', 'rabbitmq-erlang-cookie': 'auth.erlangCookie' },
    pods: [{ suffix: '-0' }],
    claims: [{ name: (f) => `data-${f}-0` }],
  },
  cassandra: {
    services: [
      {
        suffix: '',
        ports: [
          ['cql', 9042],
          ['metrics', 8080],
        ],
      },
      {
        suffix: '-headless',
        headless: true,
        ports: [
          ['intra', 7000],
          ['tls', 7001],
          ['jmx', 7199],
          ['cql', 9042],
        ],
      },
    ],
    secret: { 'cassandra-password': 'dbUser.password' },
    pods: [{ suffix: '-0' }],
    claims: [{ name: (f) => `data-${f}-0` }],
  },
};

const at = (values, path) => path.split('.').reduce((node, key) => (node == null ? undefined : node[key]), values);
const random = () => randomBytes(8).toString('hex');

export const fullnameOf = (release, chart) => (release.includes(chart) ? release : `${release}-${chart}`).slice(0, 63);

function labels(release, chart, appVersion, component) {
  return {
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/name': chart,
    'app.kubernetes.io/version': appVersion,
    'helm.sh/chart': `${chart}-${appVersion}`,
    ...(component === undefined ? {} : { 'app.kubernetes.io/component': component }),
  };
}

/**
 * The objects a release of `chart` consists of. `owned` are deleted by `helm uninstall`; `claims` come from
 * StatefulSet volume claim templates and outlive the release, as in a real cluster.
 * `generated` keeps the passwords made up at install so an upgrade keeps them (the charts look them up).
 */
export function render({ chart, release, namespace, appVersion, values, generated }) {
  const architecture = at(values, 'architecture');
  const spec = CHARTS[`${chart}/${architecture}`] ??
    CHARTS[chart] ?? {
      services: [{ suffix: '', ports: [['http', 80]] }],
      secret: {},
      pods: [{ suffix: '-5c7b9d8f4d-h8rtz' }],
      claims: [],
    };
  const fullname = fullnameOf(release, chart);
  const meta = (name, component) => ({ name, namespace, labels: labels(release, chart, appVersion, component) });
  const owned = [];
  spec.services.forEach((svc, i) => {
    owned.push({
      resource: 'services',
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(`${fullname}${svc.suffix}`, svc.component),
        spec: {
          type: 'ClusterIP',
          clusterIP: svc.headless ? 'None' : `10.96.${(release.length * 7) % 250}.${10 + i}`,
          ports: svc.ports.map(([name, port]) => ({ name, port, protocol: 'TCP', targetPort: name })),
          selector: { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/name': chart },
          sessionAffinity: 'None',
        },
        status: { loadBalancer: {} },
      },
    });
  });
  const data = {};
  for (const [key, source] of Object.entries(spec.secret)) {
    const [valuePath, onlyWith] = Array.isArray(source) ? source : [source, undefined];
    if (onlyWith !== undefined && at(values, onlyWith) === undefined) continue;
    const given = at(values, valuePath);
    const value = Array.isArray(given) ? given.join(',') : given;
    generated[key] ??= random();
    data[key] = Buffer.from(String(value ?? generated[key])).toString('base64');
  }
  if (Object.keys(data).length > 0) {
    owned.push({
      resource: 'secrets',
      body: { apiVersion: 'v1', kind: 'Secret', metadata: meta(fullname), type: 'Opaque', data },
    });
  }
  for (const pod of spec.pods) {
    owned.push({
      resource: 'pods',
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta(`${fullname}${pod.suffix}`, pod.component),
        spec: { containers: [{ name: chart, image: `docker.io/bitnami/${chart}:${appVersion}-debian-12-r3` }] },
        status: {
          phase: 'Running',
          conditions: [
            { type: 'Initialized', status: 'True' },
            { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
            { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady' },
            { type: 'PodScheduled', status: 'True' },
          ],
          containerStatuses: [{ name: chart, ready: false, restartCount: 0, image: chart, imageID: '', started: true }],
        },
      },
    });
  }
  const claim = (c) => ({
    resource: 'persistentvolumeclaims',
    body: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(c.name(fullname), c.component),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '8Gi' } },
    },
  });
  owned.push(...(spec.ownedClaims ?? []).map(claim));
  return { owned, claims: spec.claims.map(claim), fullname };
}
