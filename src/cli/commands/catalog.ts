import type { ServiceOffering } from '../../plugin-api/index.ts';
import type { CliCommand } from '../command.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';
import { openRuntime } from '../open-runtime.ts';
import { textTable } from '../text-table.ts';

export const catalogCommand: CliCommand = {
  name: 'catalog',
  summary: 'print the merged catalog the platforms see (table or --json)',
  usage: `omnibroker catalog [--config FILE] [--json]

Asks every configured backend for its catalog and prints the merged, namespaced catalog exactly as
GET /v2/catalog would publish it: one row per plan, or the OSB JSON body with --json.
A backend that does not answer is listed from its last-known catalog in the store, and named on stderr.
Exit codes: 0 printed, 1 a backend or the store failed, 2 bad arguments or config.`,
  async run(args) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } });
    const loaded = loadCliConfig(values.config as string | undefined);
    const runtime = await openRuntime(loaded);
    try {
      const { services } = JSON.parse(runtime.catalog.encoded.body.toString('utf8')) as {
        services: ServiceOffering[];
      };
      let degraded = false;
      for (const backend of runtime.backends) {
        const status = runtime.catalog.status(backend.name);
        if (status.source === 'live') continue;
        degraded = true;
        const shown = status.source === 'last-known' ? 'showing its last-known catalog' : 'none of its services shown';
        process.stderr.write(
          `omnibroker catalog: backend "${backend.name}" did not answer (${status.error}); ${shown}\n`,
        );
      }
      if (values.json === true) {
        process.stdout.write(`${JSON.stringify({ services }, null, 2)}\n`);
        return degraded ? 1 : 0;
      }
      const rows = services.flatMap((service) =>
        service.plans.map((plan) => [
          runtime.catalog.service(service.id)?.backend.name ?? '',
          service.name,
          plan.name,
          plan.id,
          String(plan.bindable ?? service.bindable),
          plan.description,
        ]),
      );
      process.stdout.write(
        `${textTable(['backend', 'service', 'plan', 'plan id', 'bindable', 'description'], rows)}\n`,
      );
      return degraded ? 1 : 0;
    } finally {
      await runtime.close();
    }
  },
};
