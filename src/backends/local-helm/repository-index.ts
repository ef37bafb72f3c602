import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { errors } from '../../plugin-api/index.ts';

/** One chart version as a Helm repository `index.yaml` (or an OCI chart's config, its Chart.yaml) lists it. */
export interface ChartEntry {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  home?: string;
  icon?: string;
  sources?: string[];
  keywords?: string[];
  deprecated?: boolean;
  urls?: string[];
}

export type RepositoryIndex = Map<string, ChartEntry[]>;

export function isRemoteRepository(repository: string): boolean {
  return /^https?:\/\//i.test(repository);
}

export function isOciRepository(repository: string): boolean {
  return /^oci:\/\//i.test(repository);
}

export function resolveRepositoryPath(repository: string, configDir: string): string {
  return isAbsolute(repository) ? repository : resolve(configDir, repository);
}

async function readIndexText(repository: string, configDir: string, signal: AbortSignal): Promise<string> {
  if (isRemoteRepository(repository)) {
    const response = await fetch(repository, { signal }).catch((cause: unknown) => {
      throw errors.unavailable(`cannot fetch the Helm repository index ${repository}: ${String(cause)}`, { cause });
    });
    if (!response.ok) {
      throw errors.unavailable(`the Helm repository index ${repository} answered HTTP ${response.status}`);
    }
    return response.text();
  }
  const path = resolveRepositoryPath(repository, configDir);
  return readFile(path, 'utf8').catch((cause: unknown) => {
    throw errors.unavailable(`cannot read the Helm repository index ${path}: ${String(cause)}`, { cause });
  });
}

/** The fields we use of an index entry or a Chart.yaml document; `undefined` without a name and version. */
export function chartEntryFrom(raw: unknown): ChartEntry | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const entry = raw as Record<string, unknown>;
  if (typeof entry.name !== 'string' || typeof entry.version !== 'string') return undefined;
  const text = (key: string) => (typeof entry[key] === 'string' ? (entry[key] as string) : undefined);
  const list = (key: string) =>
    Array.isArray(entry[key]) ? (entry[key] as unknown[]).filter((v): v is string => typeof v === 'string') : undefined;
  const picked: ChartEntry = { name: entry.name, version: entry.version, deprecated: entry.deprecated === true };
  for (const key of ['appVersion', 'description', 'home', 'icon'] as const) {
    const value = text(key);
    if (value !== undefined) picked[key] = value;
  }
  for (const key of ['sources', 'keywords', 'urls'] as const) {
    const value = list(key);
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

/** Loads and parses a repository index; an unreadable or malformed index is `Unavailable`. */
export async function loadRepositoryIndex(
  repository: string,
  configDir: string,
  signal: AbortSignal,
): Promise<RepositoryIndex> {
  const text = await readIndexText(repository, configDir, signal);
  let document: unknown;
  try {
    document = parse(text);
  } catch (cause) {
    throw errors.unavailable(`the Helm repository index ${repository} is not valid YAML: ${String(cause)}`, { cause });
  }
  const entries = (document as { entries?: unknown } | null)?.entries;
  if (entries === null || typeof entries !== 'object') {
    throw errors.unavailable(`the Helm repository index ${repository} has no "entries"`);
  }
  const index: RepositoryIndex = new Map();
  for (const [chart, versions] of Object.entries(entries as Record<string, unknown>)) {
    if (!Array.isArray(versions)) continue;
    index.set(
      chart,
      versions.map(chartEntryFrom).filter((e): e is ChartEntry => e !== undefined),
    );
  }
  return index;
}
