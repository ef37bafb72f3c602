import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

type KubeObject = {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<string, unknown>;
} & Record<string, unknown>;

const KINDS: Record<string, string> = {
  services: 'Service',
  secrets: 'Secret',
  pods: 'Pod',
  persistentvolumeclaims: 'PersistentVolumeClaim',
};

export interface KubeRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/namespaces/default/secrets?labelSelector=…`. */
  path: string;
  authorization: string | undefined;
}

export interface FakeKubeApi {
  url: string;
  /** Every request received, oldest first. */
  requests: KubeRequest[];
  /** From now on answer every request with this status (401 or 403), as an API server refusing the broker; `undefined` serves again. */
  refuse(code: 401 | 403 | undefined): void;
  /** From now on hold every request open unanswered, as a hung API server; `false` serves again. */
  stall(on: boolean): void;
  /** Held requests whose client gave up and closed the connection. */
  abandoned(): number;
  /** A kubeconfig file pointing at this server (JSON, which is YAML). */
  kubeconfigPath: string;
  objects(resource: string, namespace: string): KubeObject[];
  setPodsReady(namespace: string, release: string, ready: boolean): void;
  close(): Promise<void>;
}

/** `a=b,c!=d,e` (equality, inequality, existence): what the clients send. */
function matches(labels: Record<string, string>, selector: string | null): boolean {
  if (selector === null || selector === '') return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.includes('!=') ? term.split('!=') : term.split(/==?/);
    if (key === undefined) return true;
    if (value === undefined) return key in labels;
    return term.includes('!=') ? labels[key] !== value : labels[key] === value;
  });
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text === '' ? undefined : JSON.parse(text);
}

/** A Kubernetes API server over HTTP for core/v1 Services, Secrets, Pods and PVCs: list, get, create, delete. */
export async function startFakeKubeApi(dir: string): Promise<FakeKubeApi> {
  const store = new Map<string, KubeObject>();
  const requests: KubeRequest[] = [];
  let refusal: 401 | 403 | undefined;
  let stalled = false;
  let abandoned = 0;
  let resourceVersion = 1000;
  const keyOf = (resource: string, namespace: string, name: string) => `${resource}/${namespace}/${name}`;
  const inNamespace = (resource: string, namespace: string) =>
    [...store.entries()].filter(([k]) => k.startsWith(`${resource}/${namespace}/`)).map(([, v]) => v);

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', authorization: req.headers.authorization });
    if (stalled) {
      res.once('close', () => {
        abandoned += 1;
      });
      return;
    }
    if (refusal === 401) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (refusal === 403) {
      return status(res, 403, 'Forbidden', `forbidden: User "broker" cannot ${req.method} ${url.pathname}`);
    }
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/version') return send(200, { major: '1', minor: '31', gitVersion: 'v1.31.4' });
    if (url.pathname === '/api/v1/namespaces' && req.method === 'POST') {
      const body = (await readBody(req)) as KubeObject;
      return send(201, { ...body, status: { phase: 'Active' } });
    }
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const kind = match?.[2] === undefined ? undefined : KINDS[match[2]];
    if (match === null || kind === undefined)
      return status(res, 404, 'NotFound', `the server could not find the requested resource`);
    const [, namespace = '', resource = '', name] = match;
    if (name === undefined && req.method === 'GET') {
      const items = inNamespace(resource, namespace).filter((o) =>
        matches(o.metadata.labels ?? {}, url.searchParams.get('labelSelector')),
      );
      return send(200, {
        kind: `${kind}List`,
        apiVersion: 'v1',
        metadata: { resourceVersion: String(resourceVersion) },
        items,
      });
    }
    if (name === undefined && req.method === 'POST') {
      const body = (await readBody(req)) as KubeObject;
      const key = keyOf(resource, namespace, body.metadata.name);
      if (store.has(key))
        return status(res, 409, 'AlreadyExists', `${resource} "${body.metadata.name}" already exists`);
      const created: KubeObject = {
        ...body,
        metadata: {
          ...body.metadata,
          namespace,
          uid: randomUUID(),
          resourceVersion: String(++resourceVersion),
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      };
      store.set(key, created);
      return send(201, created);
    }
    const key = keyOf(resource, namespace, name ?? '');
    const existing = store.get(key);
    if (existing === undefined) return status(res, 404, 'NotFound', `${resource} "${name}" not found`);
    if (req.method === 'GET') return send(200, existing);
    if (req.method === 'DELETE') {
      store.delete(key);
      return send(200, existing);
    }
    return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported here`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // The client refuses plain http unless TLS verification is explicitly off, as kubectl does for http.
      clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'broker', user: { token: 'fake-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'broker' } }],
      'current-context': 'fake',
    }),
  );
  return {
    url,
    kubeconfigPath,
    requests,
    refuse(code) {
      refusal = code;
    },
    stall(on) {
      stalled = on;
    },
    abandoned: () => abandoned,
    objects: (resource, namespace) => inNamespace(resource, namespace),
    setPodsReady(namespace, release, ready) {
      for (const pod of inNamespace('pods', namespace)) {
        if (pod.metadata.labels?.['app.kubernetes.io/instance'] !== release) continue;
        const podStatus = pod.status as { conditions: Array<{ type: string; status: string }> };
        for (const condition of podStatus.conditions) {
          if (condition.type === 'Ready' || condition.type === 'ContainersReady') {
            condition.status = ready ? 'True' : 'False';
          }
        }
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
