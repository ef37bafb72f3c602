import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { JsonObject, Logger } from '../../plugin-api/index.ts';
import { isRemoteRepository, resolveRepositoryPath } from './repository-index.ts';

const BLOCK = 512;

/** The text of the file whose path inside the archive ends with `/<suffix>` at depth one (`<chart>/<suffix>`). */
export function fileFromTar(tar: Buffer, suffix: string): string | undefined {
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return undefined;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix === '' ? field(0, 100) : `${prefix}/${field(0, 100)}`;
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const body = offset + BLOCK;
    if ((type === '0' || type === '') && name.split('/').length === 2 && name.endsWith(`/${suffix}`)) {
      return tar.subarray(body, body + size).toString('utf8');
    }
    offset = body + Math.ceil(size / BLOCK) * BLOCK;
  }
  return undefined;
}

async function readArchive(url: string, repository: string, configDir: string, signal: AbortSignal): Promise<Buffer> {
  if (/^https?:\/\//i.test(url)) {
    const response = await fetch(url, { signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
  if (isRemoteRepository(repository)) {
    const response = await fetch(new URL(url, repository), { signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
  return readFile(resolve(dirname(resolveRepositoryPath(repository, configDir)), url));
}

/**
 * Reads `values.schema.json` from chart archives, once per chart version (archives never change under a
 * version). A chart without one, or an archive that cannot be read, publishes no schema; helm validates.
 */
export class ChartValuesSchemas {
  private readonly cache = new Map<string, JsonObject | undefined>();

  constructor(
    private readonly repository: string,
    private readonly configDir: string,
    private readonly log: Logger,
  ) {}

  async schemaFor(
    chart: string,
    version: string,
    urls: string[] | undefined,
    signal: AbortSignal,
  ): Promise<JsonObject | undefined> {
    const key = `${chart}@${version}`;
    if (this.cache.has(key)) return this.cache.get(key);
    const url = urls?.[0];
    let schema: JsonObject | undefined;
    if (url !== undefined) {
      try {
        const tar = gunzipSync(await readArchive(url, this.repository, this.configDir, signal));
        const text = fileFromTar(tar, 'values.schema.json');
        schema = text === undefined ? undefined : (JSON.parse(text) as JsonObject);
      } catch (error) {
        // Remembered like a missing schema: an archive under a version does not change, retrying every refresh helps nobody.
        this.log.warn(
          { chart, version, err: (error as Error).message },
          'cannot read values.schema.json from the chart archive',
        );
      }
    }
    this.cache.set(key, schema);
    return schema;
  }
}
