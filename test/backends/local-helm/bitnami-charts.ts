import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { fixtureIndex } from './setup.ts';

export type ChartMetadata = Record<string, unknown> & { name: string; version: string; appVersion?: string };

export interface PackagedChart {
  metadata: ChartMetadata;
  /** The `.tgz` `helm package` would write: `<name>/Chart.yaml` and `<name>/values.schema.json`. */
  archive: Buffer;
  file: string;
}

/** Fields of an index entry that `helm repo index` adds; the rest is the chart's Chart.yaml. */
const INDEX_ONLY = new Set(['urls', 'digest', 'created']);

/** The Chart.yaml of every version of `charts` in the saved Bitnami index. */
export function bitnamiCharts(charts: string[]): ChartMetadata[] {
  const { entries } = parse(readFileSync(fixtureIndex, 'utf8')) as { entries: Record<string, ChartMetadata[]> };
  return charts.flatMap((chart) =>
    (entries[chart] ?? []).map(
      (entry) => Object.fromEntries(Object.entries(entry).filter(([key]) => !INDEX_ONLY.has(key))) as ChartMetadata,
    ),
  );
}

/** A values schema that names its chart version, so a test sees which archive it came from. */
export const valuesSchemaOf = (metadata: ChartMetadata) => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: `${metadata.name} ${metadata.version} values`,
  type: 'object',
  properties: { architecture: { type: 'string', enum: ['standalone', 'replication'] } },
});

/** Packages each chart with tar into `dir`, like `helm package`. */
export function packageCharts(dir: string, charts: ChartMetadata[]): PackagedChart[] {
  return charts.map((metadata) => {
    const source = join(dir, 'src', `${metadata.name}-${metadata.version}`);
    mkdirSync(join(source, metadata.name), { recursive: true });
    writeFileSync(join(source, metadata.name, 'Chart.yaml'), stringify(metadata));
    writeFileSync(join(source, metadata.name, 'values.schema.json'), JSON.stringify(valuesSchemaOf(metadata)));
    const file = join(dir, `${metadata.name}-${metadata.version}.tgz`);
    execFileSync('tar', ['-czf', file, '-C', source, metadata.name]);
    return { metadata, archive: readFileSync(file), file };
  });
}

/** The `index.yaml` `helm repo index` would write for the packaged charts (relative urls); returns its path. */
export function writeRepositoryIndex(dir: string, charts: PackagedChart[]): string {
  const entries: Record<string, unknown[]> = {};
  for (const { metadata } of charts) {
    const versions = entries[metadata.name] ?? [];
    versions.push({ ...metadata, urls: [`${metadata.name}-${metadata.version}.tgz`] });
    entries[metadata.name] = versions;
  }
  const path = join(dir, 'index.yaml');
  writeFileSync(path, stringify({ apiVersion: 'v1', entries }));
  return path;
}
