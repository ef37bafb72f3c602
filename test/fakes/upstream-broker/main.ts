/**
 * The upstream broker as a real process:
 *   node --import tsx test/fakes/upstream-broker/main.ts --port N [--config JSON]
 * prints its URL on stdout once listening; SIGTERM/SIGINT stop it. `GET /__calls` answers the call counts,
 * `PUT /__failures` (body: Failures JSON) replaces the injected faults.
 */
import { parseArgs } from 'node:util';
import { startUpstreamBroker } from './index.ts';
import type { UpstreamBrokerOptions } from './options.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, config: { type: 'string' } } });
const options = (values.config === undefined ? {} : JSON.parse(values.config)) as UpstreamBrokerOptions;
const port = values.port === undefined ? (options.port ?? 0) : Number(values.port);
const broker = await startUpstreamBroker({ ...options, port });
process.stdout.write(`${broker.url}\n`);

const shutdown = () => {
  broker.stop().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
