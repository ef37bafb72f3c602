import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { type DynamoDbStoreConfig, STORE_DEFAULTS } from './store-config.ts';

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
