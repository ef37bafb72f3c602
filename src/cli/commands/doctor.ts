import { CatalogService } from '../../broker/catalog/catalog-service.ts';
import { SchemaValidators } from '../../broker/schema-validators.ts';
import { ConfigError, type LoadedConfig } from '../../config/load-config.ts';
import { Metrics } from '../../observability/metrics.ts';
import type { GuardedBackend } from '../../registry/guarded-backend.ts';
import type { CliCommand } from '../command.ts';
import { checkBackendHealth, checkBreaker, checkCatalog, checkKeys, checkStore } from '../doctor-checks.ts';
import { type Finding, formatFinding } from '../doctor-finding.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';
import { cliLogger, openBackends, openStore } from '../open-runtime.ts';

const report = (finding: Finding) => process.stdout.write(`${formatFinding(finding)}\n`);

async function checkEverything(loaded: LoadedConfig): Promise<Finding[]> {
  const { config } = loaded;
  const findings: Finding[] = [];
  const note = (finding: Finding) => {
    findings.push(finding);
    report(finding);
  };
  note({ level: 'ok', subject: 'config', detail: `${loaded.source} is valid (${config.backends.length} backend(s))` });
  const logger = cliLogger();
  const metrics = new Metrics();
  const store = await openStore(loaded, logger);
  let backends: GuardedBackend[] = [];
  try {
    const storeFinding = await checkStore(store, config);
    note(storeFinding);
    if (storeFinding.level !== 'fail') {
      note(
        await checkKeys(store, config).catch((error: Error) => ({
          level: 'fail' as const,
          subject: 'encryption keys',
          detail: error.message,
        })),
      );
    }
    try {
      backends = await openBackends(loaded, logger, metrics);
    } catch (error) {
      note({
        level: 'fail',
        subject: 'backends',
        detail: (error as Error).message,
        fix: 'correct the backend named above in the config; nothing else about backends was checked',
      });
      return findings;
    }
    for (const [index, backend] of backends.entries()) {
      const health = await checkBackendHealth(backend, index);
      if (health !== undefined) note(health);
      const breaker = config.backends[index]?.breaker;
      if (breaker !== undefined) for (const f of checkBreaker(breaker, backend.name, index)) note(f);
    }
    const catalog = new CatalogService(backends, store, new SchemaValidators(() => {}), logger, metrics);
    try {
      await catalog.refresh(true);
    } catch (error) {
      note({ level: 'fail', subject: 'catalog', detail: (error as Error).message });
      return findings;
    }
    for (const f of checkCatalog(catalog, backends)) note(f);
    return findings;
  } finally {
    await Promise.allSettled(backends.map((b) => b.close()));
    await store.close();
  }
}

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check config, store, keys, every backend and the catalog; say what to fix',
  usage: `omnibroker doctor [--config FILE]

Checks, in order: the config file; that the state store answers; that every stored secret is readable with
encryption.keys (and whether a key rotation is pending); that every backend loads, answers its health check
and serves a catalog; breaker settings that would misbehave; and catalog entries that had to be rewritten
or dropped so Cloud Foundry accepts them. Each problem is printed with what to change to fix it.
Exit codes: 0 nothing wrong (warnings allowed), 1 something is wrong, 2 bad arguments.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {});
    let loaded: LoadedConfig;
    try {
      loaded = loadCliConfig(values.config as string | undefined);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      report({
        level: 'fail',
        subject: 'config',
        detail: error.problems.join('; '),
        fix: 'correct the fields named above (every option is described in omnibroker.example.yaml)',
      });
      return 1;
    }
    const findings = await checkEverything(loaded);
    const failed = findings.filter((f) => f.level === 'fail').length;
    const warned = findings.filter((f) => f.level === 'warn').length;
    process.stdout.write(
      failed === 0
        ? `doctor: nothing wrong${warned > 0 ? ` (${warned} warning(s))` : ''}\n`
        : `doctor: ${failed} problem(s)${warned > 0 ? `, ${warned} warning(s)` : ''}\n`,
    );
    return failed === 0 ? 0 : 1;
  },
};
