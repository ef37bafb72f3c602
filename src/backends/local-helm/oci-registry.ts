import { createHash } from 'node:crypto';
import { errors } from '../../plugin-api/index.ts';
import { parseBearerChallenge, type RegistryCredentials, RegistryTokens } from './oci-auth.ts';

const OCI_IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** An OCI image manifest (the fields we use); `config` is absent for other kinds of manifest, e.g. an index. */
export interface OciManifest {
  config?: OciDescriptor;
  layers: OciDescriptor[];
}

export interface OciRegistryOptions {
  /** `<host>[:port]` */
  host: string;
  plainHttp: boolean;
  credentials?: RegistryCredentials;
}

function descriptorFrom(raw: unknown): OciDescriptor | undefined {
  const d = raw as Partial<Record<keyof OciDescriptor, unknown>> | null;
  if (d === null || typeof d !== 'object') return undefined;
  const { mediaType, digest, size } = d;
  if (typeof mediaType !== 'string' || typeof digest !== 'string' || typeof size !== 'number') return undefined;
  return { mediaType, digest, size };
}

/** The `rel="next"` target of a `Link` header (RFC 5988), resolved against the page it came with. */
function nextPage(link: string | null, current: URL): URL | undefined {
  const target = link === null ? undefined : /<([^>]*)>\s*;\s*rel="?next"?/i.exec(link)?.[1];
  if (target === undefined) return undefined;
  const next = new URL(target, current);
  return next.href === current.href ? undefined : next;
}

/** `code: message` of the registry's error body (`{"errors":[{"code","message"}]}`), when it sent one. */
async function registryError(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as {
    errors?: Array<{ code?: unknown; message?: unknown }>;
  };
  const first = body?.errors?.[0];
  return first === undefined ? '' : `: ${String(first.code)} ${String(first.message)}`;
}

const causeText = (cause: unknown) =>
  String((cause as { cause?: { code?: unknown } }).cause?.code ?? (cause as Error).message ?? cause);

/** A pull-side client of the OCI Distribution API: tags, manifests and blobs, anonymous first, then Docker token auth. */
export class OciRegistry {
  private readonly base: string;
  private readonly tokens: RegistryTokens;

  constructor(private readonly options: OciRegistryOptions) {
    this.base = `${options.plainHttp ? 'http' : 'https'}://${options.host}`;
    this.tokens = new RegistryTokens(options.credentials);
  }

  /** All tags of a repository, following `Link` pagination; `undefined` when the registry has no such repository. */
  async tags(repository: string, signal: AbortSignal): Promise<string[] | undefined> {
    const tags: string[] = [];
    let page: URL | undefined = new URL(`/v2/${repository}/tags/list`, this.base);
    while (page !== undefined) {
      const response = await this.get(repository, page, 'application/json', signal);
      if (response.status === 404) return undefined;
      const body = (await this.json(response, page)) as { tags?: unknown } | null;
      if (Array.isArray(body?.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      page = nextPage(response.headers.get('link'), page);
    }
    return tags;
  }

  /** The manifest a tag points to; `undefined` when there is no such tag. */
  async manifest(repository: string, tag: string, signal: AbortSignal): Promise<OciManifest | undefined> {
    const url = new URL(`/v2/${repository}/manifests/${encodeURIComponent(tag)}`, this.base);
    const response = await this.get(repository, url, OCI_IMAGE_MANIFEST, signal);
    if (response.status === 404) return undefined;
    const body = (await this.json(response, url)) as { config?: unknown; layers?: unknown } | null;
    const config = descriptorFrom(body?.config);
    const layers = Array.isArray(body?.layers) ? body.layers.map(descriptorFrom) : [];
    return {
      ...(config === undefined ? {} : { config }),
      layers: layers.filter((l): l is OciDescriptor => l !== undefined),
    };
  }

  /** A blob's bytes, checked against its digest. */
  async blob(repository: string, descriptor: OciDescriptor, signal: AbortSignal): Promise<Buffer> {
    const url = new URL(`/v2/${repository}/blobs/${descriptor.digest}`, this.base);
    const response = await this.get(repository, url, descriptor.mediaType, signal);
    if (response.status === 404) {
      throw errors.unavailable(
        `the OCI registry ${this.options.host} has no blob ${descriptor.digest} in ${repository}`,
      );
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    const [algorithm, hex] = descriptor.digest.split(':');
    if (algorithm === undefined || createHash(algorithm).update(bytes).digest('hex') !== hex) {
      throw new Error(`blob ${descriptor.digest} of ${repository} does not match its digest`);
    }
    return bytes;
  }

  /** GET with the repository's token; on a 401 Bearer challenge, one token exchange and one retry. 404 is returned. */
  private async get(repository: string, url: URL, accept: string, signal: AbortSignal): Promise<Response> {
    const send = (token: string | undefined) =>
      fetch(url, {
        headers: { accept, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
        signal,
      }).catch((cause: unknown) => {
        throw errors.unavailable(`cannot reach the OCI registry ${this.options.host}: ${causeText(cause)}`, { cause });
      });
    let response = await send(this.tokens.current(repository));
    if (response.status === 401) {
      const header = response.headers.get('www-authenticate');
      await response.body?.cancel();
      const challenge = parseBearerChallenge(header);
      if (challenge === undefined) {
        throw errors.unavailable(
          `the OCI registry ${this.options.host} asks for an authentication other than the Bearer token flow: ${header}`,
        );
      }
      response = await send(await this.tokens.obtain(repository, challenge, signal));
    }
    if (response.status === 401 || response.status === 403) {
      throw errors.unavailable(
        `the OCI registry ${this.options.host} refused ${this.tokens.identity} access to ${repository} (HTTP ${response.status}${await registryError(response)})`,
      );
    }
    if (!response.ok && response.status !== 404) {
      const detail = await registryError(response);
      throw errors.unavailable(
        `the OCI registry ${this.options.host} answered HTTP ${response.status}${detail} for ${url.pathname}`,
      );
    }
    if (response.status === 404) await response.body?.cancel();
    return response;
  }

  private async json(response: Response, url: URL): Promise<unknown> {
    try {
      return await response.json();
    } catch (cause) {
      throw errors.unavailable(`the OCI registry ${this.options.host} answered no JSON for ${url.pathname}`, { cause });
    }
  }
}
