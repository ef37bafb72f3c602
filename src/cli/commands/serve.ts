import { compose } from '../../compose.ts';
import { createLogger } from '../../observability/logger.ts';
import type { CliCommand } from '../command.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'run the broker (the default command)',
  usage: `omnibroker serve [--config FILE]

Runs the OSB endpoint. Without --config (and without $OMNIBROKER_CONFIG) it runs the embedded default:
in-memory state and the mysql backend on mysql://root@127.0.0.1:3306 (override with OMNIBROKER_MYSQL_URL),
port 8080 (PORT), user "platform" (OMNIBROKER_USERNAME) and OMNIBROKER_PASSWORD, or a generated password
printed once. SIGTERM/SIGINT stop accepting, finish in-flight requests and close every client.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {});
    const loaded = loadCliConfig(values.config as string | undefined);
    const { config } = loaded;
    const logger = createLogger(config.log.level);
    const omnibroker = await compose(config, { configDir: loaded.configDir, logger, defaultMetrics: true });
    const address = await omnibroker.app.listen({ host: config.listen.host, port: config.listen.port });
    logger.info(
      { address, config: loaded.source, backends: config.backends.map((b) => `${b.name} (${b.type})`) },
      'omnibroker is listening',
    );
    if (loaded.embedded) {
      const user = config.auth.basic[0]?.username ?? 'platform';
      const lines = [
        `omnibroker: running the embedded default (memory state, mysql backend on ${String(config.backends[0]?.options.url)})`,
        `omnibroker: OSB endpoint ${address}  user "${user}"`,
      ];
      if (loaded.generatedPassword !== undefined) {
        lines.push(
          `omnibroker: generated password (shown once; set OMNIBROKER_PASSWORD to choose one): ${loaded.generatedPassword}`,
        );
      }
      lines.push(`omnibroker: try  curl -s -u ${user}:PASSWORD -H 'X-Broker-API-Version: 2.17' ${address}/v2/catalog`);
      process.stderr.write(`${lines.join('\n')}\n`);
    }
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down: finishing in-flight requests');
        omnibroker
          .close()
          .catch((error: Error) => logger.error({ err: error.message }, 'error while closing'))
          .finally(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};
