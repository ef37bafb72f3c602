import { MemoryStore } from './memory-store.ts';
import { RedisStore } from './redis-store.ts';
import { STORE_DEFAULTS, type StoreConfig, type StoreLog } from './store-config.ts';
import type { StateStore } from './store.ts';

/**
 * The configured store. A Redis that is not reachable yet does not fail start-up: the store reconnects in the
 * background and answers StoreUnavailableError (503) meanwhile. The AWS SDK is loaded only for DynamoDB state.
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
    case 'dynamodb': {
      const [{ dynamoDbClient }, { DynamoDbStore }] = await Promise.all([
        import('./dynamodb-client.ts'),
        import('./dynamodb-store.ts'),
      ]);
      return new DynamoDbStore(dynamoDbClient(config), config.table, log);
    }
  }
}
