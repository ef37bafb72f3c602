import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from './dynamodb-store.ts';
import { MemoryStore } from './memory-store.ts';
import { RedisStore } from './redis-store.ts';
import { type DynamoDbStoreConfig, STORE_DEFAULTS, type StoreConfig, type StoreLog } from './store-config.ts';
import type { StateStore } from './store.ts';

export function dynamoDbClient(config: DynamoDbStoreConfig): DynamoDBClient {
  const timeout = config.requestTimeoutMs ?? STORE_DEFAULTS.dynamodbRequestTimeoutMs;
  const options: DynamoDBClientConfig = {
    region: config.region,
    maxAttempts: config.maxAttempts ?? STORE_DEFAULTS.dynamodbMaxAttempts,
    // Without throwOnRequestTimeout the SDK only logs a slow request and keeps waiting.
    requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, throwOnRequestTimeout: true },
  };
  if (config.endpoint !== undefined) options.endpoint = config.endpoint;
  return new DynamoDBClient(options);
}

/**
 * The configured store. A Redis that is not reachable yet does not fail start-up: the store reconnects in the
 * background and answers StoreUnavailableError (503) meanwhile.
 */
export async function createStore(config: StoreConfig, log: StoreLog): Promise<StateStore> {
  switch (config.type) {
    case 'memory':
      return new MemoryStore();
    case 'redis': {
      const store = new RedisStore(config, log);
      await store.waitUntilReady(config.connectTimeoutMs ?? STORE_DEFAULTS.redisConnectTimeoutMs);
      return store;
    }
    case 'dynamodb':
      return new DynamoDbStore(dynamoDbClient(config), config.table, log);
  }
}
