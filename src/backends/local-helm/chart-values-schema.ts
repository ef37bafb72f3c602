import { gunzipSync } from 'node:zlib';
import { isBackendError, type JsonObject, type Logger } from '../../plugin-api/index.ts';
import type { PlanTarget } from './catalog-builder.ts';
import type { ChartSource } from './chart-source.ts';

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

/**
 * Reads `values.schema.json` from chart archives, once per chart version (archives never change under a
 * version). A chart without one, or an archive that cannot be read, publishes no schema; helm validates.
 */
export class ChartValuesSchemas {
  private readonly cache = new Map<string, JsonObject | undefined>();

  constructor(
    private readonly loadArchive: ChartSource['loadArchive'],
    private readonly log: Logger,
  ) {}

  async schemaFor(target: PlanTarget, signal: AbortSignal): Promise<JsonObject | undefined> {
    const { chart, chartVersion: version } = target;
    const key = `${chart}@${version}`;
    if (this.cache.has(key)) return this.cache.get(key);
    let schema: JsonObject | undefined;
    try {
      const archive = await this.loadArchive(target, signal);
      const text = archive === undefined ? undefined : fileFromTar(gunzipSync(archive), 'values.schema.json');
      schema = text === undefined ? undefined : (JSON.parse(text) as JsonObject);
    } catch (error) {
      // A source that is down (Unavailable) fails this refresh; the broker keeps its last-known catalog and retries.
      if (isBackendError(error)) throw error;
      // Remembered like a missing schema: an archive under a version does not change, retrying every refresh helps nobody.
      this.log.warn(
        { chart, version, err: (error as Error).message },
        'cannot read values.schema.json from the chart archive',
      );
    }
    this.cache.set(key, schema);
    return schema;
  }
}
