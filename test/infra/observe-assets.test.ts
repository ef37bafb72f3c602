import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Metrics } from '../../src/observability/metrics.ts';
import { CHART_DIR, renderChart } from './render-chart.ts';

const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];

/** Every series name /metrics can expose (histograms as their _bucket/_sum/_count series). */
async function exposedSeries(): Promise<Set<string>> {
  const metrics = await new Metrics().registry.getMetricsAsJSON();
  return new Set(
    metrics.flatMap((m) => (String(m.type) === 'histogram' ? HISTOGRAM_SERIES.map((s) => m.name + s) : [m.name])),
  );
}
const seriesIn = (text: string) => new Set(text.match(/\bomnibroker_[a-z_]+/g));

type AlertRule = { alert: string; expr: string; for: string; labels: { severity: string }; annotations: object };
const rulesText = readFileSync(join(CHART_DIR, 'rules/omnibroker-alerts.yaml'), 'utf8');
const dashboardText = readFileSync(join(CHART_DIR, 'dashboards/omnibroker.json'), 'utf8');

describe('the dashboard and alert rules shipped with the chart', () => {
  it('query only metrics omnibroker exposes', async () => {
    const exposed = await exposedSeries();
    const dashboard = JSON.parse(dashboardText) as { panels: { targets: { expr: string }[] }[] };
    const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const text of [queries, rulesText]) {
      const used = [...seriesIn(text)];
      expect(used.length).toBeGreaterThan(5);
      expect(used.filter((name) => !exposed.has(name))).toEqual([]);
    }
  });

  it('chart the breaker state, backend latency, in-progress operations and store errors', () => {
    const used = seriesIn(dashboardText);
    for (const name of [
      'omnibroker_breaker_state',
      'omnibroker_backend_call_duration_seconds_bucket',
      'omnibroker_http_requests_total',
      'omnibroker_operations_in_progress',
      'omnibroker_oldest_operation_age_seconds',
      'omnibroker_store_errors_total',
      'omnibroker_lease_conflicts_total',
    ]) {
      expect(used).toContain(name);
    }
  });

  it('alert on an open breaker, store errors and a stuck operation, each with a severity and summary', () => {
    const rules = (parse(rulesText) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['OmnibrokerBreakerOpen', 'OmnibrokerStoreErrors', 'OmnibrokerOperationStuck']),
    );
    for (const rule of rules) {
      expect(['info', 'warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.annotations).toHaveProperty('summary');
      expect(rule.for).toMatch(/^\d+m$/);
    }
  });

  it('ship unchanged in the PrometheusRule and the Grafana dashboard ConfigMap', () => {
    const manifests = renderChart({
      auth: { password: 'platform-password' },
      encryption: { keys: [{ id: 'k1', secret: 'k'.repeat(32) }] },
      state: { redis: { url: 'redis://r:6379/0' } },
      metrics: { prometheusRule: { enabled: true }, dashboard: { enabled: true } },
    }).map((r) => r.manifest);
    expect(manifests.find((m) => m.kind === 'PrometheusRule')?.spec).toEqual(parse(rulesText));
    const dashboard = manifests.find((m) => m.metadata.name === 'ob-omnibroker-dashboard');
    expect(dashboard?.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const data = (dashboard?.data ?? {}) as Record<string, string>;
    expect(JSON.parse(data['omnibroker.json'] ?? '')).toEqual(JSON.parse(dashboardText));
  });
});
