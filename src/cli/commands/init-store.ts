import type { CliCommand } from '../command.ts';
import { loadCliConfig, parseCommandArgs } from '../load-cli-config.ts';

const progressLog = {
  info: (_: object | string, msg?: string) => process.stderr.write(`init-store: ${msg ?? ''}\n`),
  warn: (_: object | string, msg?: string) => process.stderr.write(`init-store: warning: ${msg ?? ''}\n`),
};

export const initStoreCommand: CliCommand = {
  name: 'init-store',
  summary: 'create what the state store needs (the DynamoDB table); idempotent',
  usage: `omnibroker init-store [--config FILE]

For state.type dynamodb: creates the table (pk/sk, PAY_PER_REQUEST) when it is missing, waits until it is
ACTIVE and enables TTL on expired tombstones. Uses the default AWS credential chain; the identity needs
dynamodb:CreateTable, DescribeTable, DescribeTimeToLive and UpdateTimeToLive.
For redis and memory there is nothing to create.
Exit codes: 0 ready, 1 it could not be created, 2 bad arguments or config.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {});
    const { config } = loadCliConfig(values.config as string | undefined);
    const state = config.state;
    if (state.type !== 'dynamodb') {
      process.stdout.write(`init-store: state.type is ${state.type}: nothing to create\n`);
      return 0;
    }
    process.stderr.write(`init-store: ensuring DynamoDB table "${state.table}" in ${state.region} ...\n`);
    // Loaded here, not at the top, so that no other command loads the AWS SDK.
    const [{ dynamoDbClient }, { ensureStoreTable }] = await Promise.all([
      import('../../state/dynamodb-client.ts'),
      import('../../state/dynamodb-schema.ts'),
    ]);
    const client = dynamoDbClient(state);
    try {
      await ensureStoreTable(client, state.table, progressLog);
    } finally {
      client.destroy();
    }
    process.stdout.write(`init-store: DynamoDB table "${state.table}" is ready\n`);
    return 0;
  },
};
