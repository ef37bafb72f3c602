import { ConfigError } from '../config/load-config.ts';
import { type CliCommand, UsageError } from './command.ts';
import { bindingsCommand } from './commands/bindings.ts';
import { catalogCommand } from './commands/catalog.ts';
import { doctorCommand } from './commands/doctor.ts';
import { initStoreCommand } from './commands/init-store.ts';
import { instancesCommand } from './commands/instances.ts';
import { purgeCommand } from './commands/purge.ts';
import { rotateKeysCommand } from './commands/rotate-keys.ts';
import { serveCommand } from './commands/serve.ts';
import { statusCommand } from './commands/status.ts';

export const COMMANDS: CliCommand[] = [
  serveCommand,
  catalogCommand,
  instancesCommand,
  bindingsCommand,
  statusCommand,
  doctorCommand,
  purgeCommand,
  rotateKeysCommand,
  initStoreCommand,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'omnibroker: one Open Service Broker API endpoint in front of every cloud',
    '',
    'usage: omnibroker <command> [--config FILE] [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `omnibroker <command> --help` for a command. The config file is documented in omnibroker.example.yaml.',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${overview()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    process.stderr.write(`omnibroker: unknown command "${first}"\n\n${overview()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`omnibroker ${command.name}: ${(error as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`omnibroker ${command.name}: ${(error as Error).message}\n`);
    return 1;
  }
}
