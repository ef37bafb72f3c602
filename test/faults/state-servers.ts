/** The shared state a fault test runs the broker processes on: a private redis-server or dynalite. */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { ensureStoreTable } from '../../src/state/dynamodb-schema.ts';
import { startDynalite } from '../support/dynalite.ts';
import { type PrivateRedis, startRedis } from '../support/redis.ts';

export interface FaultState {
  name: 'redis' | 'dynamodb';
  /** The `state:` section of the broker config. */
  config: Record<string, unknown>;
  /** Environment the broker child needs (AWS credentials for dynalite). */
  env: Record<string, string>;
  /** Every key and value in the store as text, for searching secrets in clear. */
  dump(): Promise<string>;
  stop(): Promise<void>;
}

const quiet = { info: () => undefined, warn: () => undefined };

export async function redisState(redis?: PrivateRedis): Promise<FaultState & { redis: PrivateRedis }> {
  const server = redis ?? (await startRedis({ appendonly: true }));
  return {
    name: 'redis',
    redis: server,
    config: { type: 'redis', url: server.url },
    env: {},
    async dump() {
      const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      try {
        const lines: string[] = [];
        for (const key of await client.keys('*')) {
          const type = await client.type(key);
          if (type === 'string') lines.push(`${key} ${await client.get(key)}`);
          else if (type === 'hash') lines.push(`${key} ${JSON.stringify(await client.hgetall(key))}`);
          else if (type === 'set') lines.push(`${key} ${JSON.stringify(await client.smembers(key))}`);
          else if (type === 'zset') lines.push(`${key} ${JSON.stringify(await client.zrange(key, 0, -1))}`);
          else if (type === 'list') lines.push(`${key} ${JSON.stringify(await client.lrange(key, 0, -1))}`);
          else lines.push(`${key} <${type}>`);
        }
        return lines.join('\n');
      } finally {
        client.disconnect();
      }
    },
    stop: () => server.stop(),
  };
}

export async function dynamoState(table = 'omnibroker-faults'): Promise<FaultState> {
  const dynalite = await startDynalite();
  const client = dynalite.client();
  await ensureStoreTable(client, table, quiet, 10_000);
  return {
    name: 'dynamodb',
    config: { type: 'dynamodb', table, region: 'local', endpoint: dynalite.endpoint },
    env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'local' },
    async dump() {
      const items: unknown[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: table, ...(start === undefined ? {} : { ExclusiveStartKey: start as never }) }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return items.map((item) => JSON.stringify(item)).join('\n');
    },
    async stop() {
      client.destroy();
      await dynalite.stop();
    },
  };
}
