import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from './ports.ts';

type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
// dynalite ships no types.
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

export interface PrivateDynalite {
  endpoint: string;
  /** A real SDK client for this endpoint (static test credentials, fail-fast timeouts). */
  client(): DynamoDBClient;
  stop(): Promise<void>;
}

/** dynalite (in-memory DynamoDB) in this process on a free 127.0.0.1 port; tables become ACTIVE at once. */
export async function startDynalite(): Promise<PrivateDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    client: () =>
      new DynamoDBClient({
        endpoint,
        region: 'local',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 800, requestTimeout: 800, throwOnRequestTimeout: true },
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
