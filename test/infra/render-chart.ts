import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { TemplateEngine } from './go-template/evaluate.ts';
import { type Node, parseTemplate, type Templates } from './go-template/parse.ts';

export const CHART_DIR = new URL('../../infra/kubernetes/omnibroker/', import.meta.url).pathname;

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
};
export type Rendered = { template: string; manifest: Manifest };

type Values = Record<string, unknown>;
const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's values merge: maps merge key by key, anything else (lists too) is replaced. */
export function mergeValues(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isMap(current) && isMap(value) ? mergeValues(current, value) : value;
  }
  return merged;
}

/** `helm template` for this chart, without the redis subchart: every manifest with the template it came from. */
export function renderChart(overrides: Values = {}, release = { name: 'ob', namespace: 'brokers' }): Rendered[] {
  const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Values;
  const defaults = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Values;
  const templatesDir = join(CHART_DIR, 'templates');
  const files = readdirSync(templatesDir).sort();
  const templates: Templates = new Map();
  const bodies = new Map<string, Node[]>();
  for (const file of files) {
    const nodes = parseTemplate(readFileSync(join(templatesDir, file), 'utf8'), templates);
    if (!file.startsWith('_')) bodies.set(file, nodes);
  }
  const root = {
    Values: mergeValues(defaults, overrides),
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Files: { Get: (path: unknown) => readFileSync(join(CHART_DIR, String(path)), 'utf8') },
  };
  const engine = new TemplateEngine(templates, root);
  return [...bodies].flatMap(([template, nodes]) =>
    parseAllDocuments(engine.render(nodes)).flatMap((document) => {
      if (document.errors.length > 0) throw new Error(`${template}: ${document.errors[0]?.message}`);
      const manifest = document.toJS({ maxAliasCount: -1 }) as Manifest | null;
      return manifest === null ? [] : [{ template, manifest }];
    }),
  );
}
