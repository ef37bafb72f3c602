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
 * How long one catalog refresh waits for chart archives. Reads still running then are dropped and not
 * remembered, so a slow or hanging chart server costs a refresh this much at most (well inside the default
 * 10 s call deadline) and the plans it has not read yet publish their schemas from a later refresh.
 */
export const ARCHIVE_WAIT_MS = 4_000;
/** Few, because each read of a hanging host's name holds one of libuv's four threads until the resolver gives up. */
const PARALLEL_ARCHIVE_READS = 2;

const keyOf = (target: PlanTarget) => `${target.chart}@${target.chartVersion}`;

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

  /** The schema of a chart version read by an earlier `readNew`, if it ships one. */
  schemaFor(target: PlanTarget): JsonObject | undefined {
    return this.cache.get(keyOf(target));
  }

  /** Reads the archives of the versions not read yet, a few at a time, for at most `ARCHIVE_WAIT_MS`. */
  async readNew(targets: PlanTarget[], signal: AbortSignal): Promise<void> {
    const unread = targets.filter((target) => !this.cache.has(keyOf(target)));
    if (unread.length === 0) return;
    // By hand, not AbortSignal.any: engines allows Node 20.0–20.2, which lack it.
    const window = new AbortController();
    const end = () => window.abort();
    const timer = setTimeout(end, ARCHIVE_WAIT_MS);
    signal.addEventListener('abort', end, { once: true });
    let next = 0;
    const reader = async () => {
      for (let target = unread[next++]; target !== undefined && !window.signal.aborted; target = unread[next++]) {
        await this.read(target, window.signal);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(PARALLEL_ARCHIVE_READS, unread.length) }, reader));
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', end);
    }
    const late = unread.filter((target) => !this.cache.has(keyOf(target))).length;
    if (late > 0 && !signal.aborted) {
      this.log.warn(
        { charts: late, waitMs: ARCHIVE_WAIT_MS },
        'chart archives not read in time: these plans publish no parameters schema until a later catalog refresh reads them',
      );
    }
  }

  private async read(target: PlanTarget, signal: AbortSignal): Promise<void> {
    const { chart, chartVersion: version } = target;
    let schema: JsonObject | undefined;
    try {
      const archive = await this.loadArchive(target, signal);
      const text = archive === undefined ? undefined : fileFromTar(gunzipSync(archive), 'values.schema.json');
      schema = text === undefined ? undefined : (JSON.parse(text) as JsonObject);
    } catch (error) {
      // Cut off by the wait or the call's deadline: not an answer about the archive, so it is read again next time.
      if (signal.aborted) return;
      // A source that is down (Unavailable) fails this refresh; the broker keeps its last-known catalog and retries.
      if (isBackendError(error)) throw error;
      // Remembered like a missing schema: an archive under a version does not change, retrying every refresh helps nobody.
      this.log.warn(
        { chart, version, err: (error as Error).message },
        'cannot read values.schema.json from the chart archive',
      );
    }
    this.cache.set(keyOf(target), schema);
  }
}
