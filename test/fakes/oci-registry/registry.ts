import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Action, TokenService } from './token-service.ts';

const SERVICE = 'fake-oci-registry';
const NAME = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*';
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface LoggedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  status: number;
  auth: 'none' | 'basic' | 'bearer';
}

export interface FakeOciRegistryOptions {
  /** username → password, for the token service. */
  users?: Record<string, string>;
  /** Anonymous pull tokens (Docker Hub's public repositories); default true. */
  anonymousPull?: boolean;
  /** Tags per tags/list page when the client sends no `n`, and the largest `n` honoured; default 100. */
  pageSize?: number;
  tokenLifetimeSeconds?: number;
}

export interface FakeOciRegistry {
  /** `127.0.0.1:<port>`, as in `oci://<host>/…` */
  host: string;
  url: string;
  /** Every request, oldest first (clear it with `requests.length = 0`). */
  requests: LoggedRequest[];
  /** A password rotation: the token service accepts only the new one from now on. */
  setPassword(username: string, password: string): void;
  close(): Promise<void>;
}

interface StoredManifest {
  mediaType: string;
  body: Buffer;
}

interface Repository {
  blobs: Map<string, Buffer>;
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * An OCI Distribution registry over HTTP with Docker token auth: `/v2/`, tags/list (lexical, `n`/`last`, `Link`),
 * manifests (by tag or digest, content-negotiated), blobs, and the monolithic push (POST + PUT ?digest=).
 * Blobs are kept by their real sha256; every request needs a Bearer token from `/token` that grants it.
 */
export async function startFakeOciRegistry(options: FakeOciRegistryOptions = {}): Promise<FakeOciRegistry> {
  const pageSize = options.pageSize ?? 100;
  const tokens = new TokenService({
    service: SERVICE,
    users: { ...options.users },
    anonymousPull: options.anonymousPull ?? true,
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 300,
  });
  const repositories = new Map<string, Repository>();
  const uploads = new Map<string, string>();
  const requests: LoggedRequest[] = [];
  let base = '';

  const repositoryFor = (name: string, create: boolean): Repository | undefined => {
    let repo = repositories.get(name);
    if (repo === undefined && create) {
      repo = { blobs: new Map(), manifests: new Map(), tags: new Map() };
      repositories.set(name, repo);
    }
    return repo;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const authorization = req.headers.authorization ?? '';
    res.on('finish', () =>
      requests.push({
        method: req.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        status: res.statusCode,
        auth: /^basic /i.test(authorization) ? 'basic' : /^bearer /i.test(authorization) ? 'bearer' : 'none',
      }),
    );
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
      json(status, { errors: [{ code, message, detail: {} }] }, headers);
    /** The Bearer challenge of distribution: a scope for repository routes, `insufficient_scope` for weak tokens. */
    const authorized = (repository: string | undefined, action: Action): boolean => {
      const granted = tokens.grants(req, repository, action);
      if (granted === true) return true;
      const scope = repository === undefined ? '' : `,scope="repository:${repository}:${action}"`;
      const error = granted === false ? ',error="insufficient_scope"' : '';
      fail(401, 'UNAUTHORIZED', 'authentication required', {
        'www-authenticate': `Bearer realm="${base}/token",service="${SERVICE}"${scope}${error}`,
      });
      return false;
    };

    if (req.method === 'GET' && url.pathname === '/token') {
      const answer = tokens.answer(req, url);
      return json(answer.status, answer.body);
    }
    if (url.pathname === '/v2/' && (req.method === 'GET' || req.method === 'HEAD')) {
      if (authorized(undefined, 'pull')) json(200, {}, { 'docker-distribution-api-version': 'registry/2.0' });
      return;
    }
    const route = new RegExp(`^/v2/(${NAME})/(tags/list|manifests/([^/]+)|blobs/uploads/([^/]*)|blobs/([^/]+))$`).exec(
      url.pathname,
    );
    if (route === null) return fail(404, 'NOT_FOUND', 'no such route');
    const [, name = '', what, reference, upload, digest] = route;
    const pushing = req.method === 'POST' || req.method === 'PUT';
    if (!authorized(name, pushing ? 'push' : 'pull')) return;
    const repo = repositoryFor(name, pushing);
    if (repo === undefined) return fail(404, 'NAME_UNKNOWN', `repository name not known to registry: ${name}`);

    if (what === 'tags/list' && req.method === 'GET') {
      const requested = Number(url.searchParams.get('n') ?? pageSize);
      const n = Math.min(Number.isInteger(requested) && requested > 0 ? requested : pageSize, pageSize);
      const last = url.searchParams.get('last');
      const after = [...repo.tags.keys()].sort().filter((tag) => last === null || tag > last);
      const tags = after.slice(0, n);
      const more = after.length > n ? { link: `</v2/${name}/tags/list?n=${n}&last=${tags.at(-1)}>; rel="next"` } : {};
      return json(200, { name, tags }, more);
    }
    if (reference !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      const manifestDigest = DIGEST.test(reference) ? reference : repo.tags.get(reference);
      const manifest = manifestDigest === undefined ? undefined : repo.manifests.get(manifestDigest);
      const accept = req.headers.accept ?? '*/*';
      if (manifest === undefined || !(accept.includes(manifest.mediaType) || accept.includes('*/*'))) {
        return fail(404, 'MANIFEST_UNKNOWN', `manifest unknown: ${reference}`);
      }
      res.writeHead(200, { 'content-type': manifest.mediaType, 'docker-content-digest': manifestDigest! });
      return res.end(req.method === 'HEAD' ? undefined : manifest.body);
    }
    if (digest !== undefined && req.method === 'GET') {
      const blob = repo.blobs.get(digest);
      if (blob === undefined) return fail(404, 'BLOB_UNKNOWN', `blob unknown to registry: ${digest}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'docker-content-digest': digest });
      return res.end(blob);
    }
    if (upload === '' && req.method === 'POST') {
      const id = randomUUID();
      uploads.set(id, name);
      res.writeHead(202, {
        location: `/v2/${name}/blobs/uploads/${id}`,
        'docker-upload-uuid': id,
        'content-length': 0,
      });
      return res.end();
    }
    if (upload !== undefined && upload !== '' && req.method === 'PUT') {
      if (uploads.get(upload) !== name) return fail(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
      const body = await readBody(req);
      const expected = url.searchParams.get('digest');
      if (expected === null || sha256(body) !== expected) {
        return fail(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
      }
      uploads.delete(upload);
      repo.blobs.set(expected, body);
      res.writeHead(201, { location: `/v2/${name}/blobs/${expected}`, 'docker-content-digest': expected });
      return res.end();
    }
    if (reference !== undefined && req.method === 'PUT') {
      const body = await readBody(req);
      const manifest = JSON.parse(body.toString('utf8')) as {
        config?: { digest: string };
        layers?: { digest: string }[];
      };
      const missing = [manifest.config, ...(manifest.layers ?? [])].filter(
        (d) => d === undefined || !repo.blobs.has(d.digest),
      );
      if (missing.length > 0)
        return fail(400, 'MANIFEST_BLOB_UNKNOWN', 'manifest references a blob unknown to registry');
      if (!TAG.test(reference)) return fail(400, 'TAG_INVALID', `manifest tag did not match URI: ${reference}`);
      const manifestDigest = sha256(body);
      repo.manifests.set(manifestDigest, { mediaType: req.headers['content-type'] ?? '', body });
      repo.tags.set(reference, manifestDigest);
      res.writeHead(201, {
        location: `/v2/${name}/manifests/${manifestDigest}`,
        'docker-content-digest': manifestDigest,
      });
      return res.end();
    }
    return fail(405, 'UNSUPPORTED', `${req.method} ${url.pathname} is not supported`);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
  return {
    host,
    url: base,
    requests,
    setPassword: (username, password) => tokens.setPassword(username, password),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
