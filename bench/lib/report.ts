import { round } from './stats.ts';

export interface Row {
  scenario: string;
  metric: string;
  omnibroker: number;
  reference?: number;
  /** omnibroker ÷ reference for throughput, omnibroker − reference for overhead rows. */
  ratio?: number;
  target?: string;
  met?: boolean;
}

export interface ScenarioReport {
  rows: Row[];
  /** Every round's raw numbers, for the JSON file. */
  rounds: Record<string, unknown>;
}

const cell = (value: number | undefined) => (value === undefined ? '' : String(round(value)));

export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'metric', 'omnibroker', 'reference', 'ratio/delta', 'target', 'met'];
  const lines = rows.map((r) => [
    r.scenario,
    r.metric,
    cell(r.omnibroker),
    cell(r.reference),
    cell(r.ratio),
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n');
}

/**
 * The lowest and highest ratio of one round to the reference round next to it: on a machine whose speed drifts
 * from round to round, the spread says how far the median ratio can be trusted.
 */
export function roundRatioRows(scenario: string, ours: readonly number[], reference: readonly number[]): Row[] {
  const ratios = ours.map((value, i) => value / (reference[i] ?? Number.NaN));
  const lowest = Math.min(...ratios);
  const highest = Math.max(...ratios);
  return [
    { scenario, metric: 'req/s ratio, lowest round', omnibroker: lowest, ratio: lowest },
    { scenario, metric: 'req/s ratio, highest round', omnibroker: highest, ratio: highest },
  ];
}
