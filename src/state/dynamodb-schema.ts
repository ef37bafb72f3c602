import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from '../plugin-api/index.ts';

/** Epoch seconds after which DynamoDB may delete an item (lazily: reads filter on `expiresAtMs` too). */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * The one table of the DynamoDB store: records of a kind share the partition `pk = <kind>` with `sk = <id>`,
 * leases live under `pk = _lease`. Keep infra/terraform/aws in step with this definition.
 */
export function storeTableDefinition(table: string): CreateTableCommandInput {
  return {
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}

const errorName = (err: unknown) => (err as { name?: string }).name;

async function waitUntilActive(client: DynamoDBClient, table: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${table} is still ${Table?.TableStatus} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function enableTtl(client: DynamoDBClient, table: string, log: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  try {
    const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    if (ttl?.AttributeName === TTL_ATTRIBUTE && ['ENABLED', 'ENABLING'].includes(ttl.TimeToLiveStatus ?? '')) return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
    log.info({ table }, `DynamoDB TTL enabled on attribute ${TTL_ATTRIBUTE}`);
  } catch (err) {
    // dynalite and some emulators lack the TTL APIs; expired items are filtered on read anyway.
    if (errorName(err) !== 'UnknownOperationException') throw err;
    log.warn({ table }, 'this DynamoDB endpoint has no UpdateTimeToLive: expired tombstones stay until deleted');
  }
}

/** Creates the table when missing (idempotent), waits until it is ACTIVE, and enables TTL. */
export async function ensureStoreTable(
  client: DynamoDBClient,
  table: string,
  log: Pick<Logger, 'info' | 'warn'>,
  timeoutMs = 120_000,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(storeTableDefinition(table)));
    log.info({ table }, 'DynamoDB state table created');
  } catch (err) {
    if (errorName(err) !== 'ResourceInUseException') throw err;
  }
  await waitUntilActive(client, table, timeoutMs);
  await enableTtl(client, table, log);
}
