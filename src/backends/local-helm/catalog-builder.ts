import { createHash } from 'node:crypto';
import semver from 'semver';
import type { Catalog, ServiceOffering, ServicePlan } from '../../plugin-api/index.ts';
import type { ChartEntry, RepositoryIndex } from './repository-index.ts';

/** What a plan installs. Kept in a map by plan id: never re-derived from the (sanitized) id. */
export interface PlanTarget {
  chart: string;
  chartVersion: string;
  appVersion: string;
  /** Where the chart archive is (for its values.schema.json). */
  urls?: string[];
}

export interface BuiltCatalog {
  catalog: Catalog;
  plans: Map<string, PlanTarget>;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** `text` if it already fits `allowed`, else a rewritten form with a hash of the original so two never collide. */
function safeForm(text: string, allowed: RegExp, replace: RegExp, lower: boolean): string {
  const cased = lower ? text.toLowerCase() : text;
  if (allowed.test(cased) && cased === text) return text;
  return `${cased.replace(replace, '-')}-${shortHash(text)}`;
}

const planId = (chart: string, appVersion: string) =>
  `${chart}-${safeForm(appVersion, /^[A-Za-z0-9._-]+$/, /[^A-Za-z0-9._-]+/g, false)}`;
const planName = (appVersion: string) => safeForm(appVersion, /^[a-z0-9][a-z0-9.-]*$/, /[^a-z0-9.-]+/g, true);

function compareVersions(a: string, b: string): number {
  const va = semver.coerce(a, { includePrerelease: true });
  const vb = semver.coerce(b, { includePrerelease: true });
  if (va !== null && vb !== null) {
    const byVersion = semver.compare(va, vb);
    if (byVersion !== 0) return byVersion;
  }
  return a.localeCompare(b);
}

/** The newest chart version per app version, newest app version first. */
export function newestPerAppVersion(entries: ChartEntry[]): Array<ChartEntry & { appVersion: string }> {
  const newest = new Map<string, ChartEntry>();
  for (const entry of entries) {
    if (entry.deprecated === true || semver.valid(entry.version) === null) continue;
    const appVersion = entry.appVersion ?? entry.version;
    const current = newest.get(appVersion);
    if (current === undefined || semver.gt(entry.version, current.version)) newest.set(appVersion, entry);
  }
  return [...newest.entries()]
    .sort(([a], [b]) => compareVersions(b, a))
    .map(([appVersion, entry]) => ({ ...entry, appVersion }));
}

function offering(
  chart: string,
  versions: Array<ChartEntry & { appVersion: string }>,
  tags: string[],
): ServiceOffering {
  const latest = versions[0]!;
  const plans: ServicePlan[] = versions.map((entry) => ({
    id: planId(chart, entry.appVersion),
    name: planName(entry.appVersion),
    description: `${chart} ${entry.appVersion} (Helm chart ${chart} ${entry.version})`,
    bindable: true,
    plan_updateable: true,
    metadata: {
      chartVersion: entry.version,
      appVersion: entry.appVersion,
      displayName: `${chart} ${entry.appVersion}`,
    },
  }));
  const documentationUrl = latest.home ?? latest.sources?.[0];
  return {
    id: chart,
    name: chart,
    description: latest.description ?? `Helm chart ${chart}`,
    bindable: true,
    plan_updateable: true,
    tags,
    metadata: {
      displayName: chart,
      ...(latest.icon === undefined ? {} : { imageUrl: latest.icon }),
      ...(documentationUrl === undefined ? {} : { documentationUrl }),
    },
    plans,
  };
}

/** One service per allowed chart found in the index, one plan per app version. */
export function buildCatalog(
  index: RepositoryIndex,
  charts: string[],
  tagsFor: (chart: string) => string[],
): BuiltCatalog {
  const services: ServiceOffering[] = [];
  const plans = new Map<string, PlanTarget>();
  for (const chart of charts) {
    const versions = newestPerAppVersion(index.get(chart) ?? []);
    if (versions.length === 0) continue;
    const service = offering(chart, versions, tagsFor(chart));
    service.plans.forEach((plan, i) => {
      const entry = versions[i]!;
      plans.set(plan.id, {
        chart,
        chartVersion: entry.version,
        appVersion: entry.appVersion,
        ...(entry.urls === undefined ? {} : { urls: entry.urls }),
      });
    });
    services.push(service);
  }
  return { catalog: { services }, plans };
}
