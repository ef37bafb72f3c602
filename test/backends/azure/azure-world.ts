import azure from '../../../src/backends/azure/index.ts';
import type {
  Backend,
  CallContext,
  InstanceView,
  JsonObject,
  Logger,
  OperationStatus,
  Outcome,
  ProvisionOutput,
} from '../../../src/plugin-api/index.ts';
import { type FakeArm, type FakeArmOptions, startFakeArm } from '../../fakes/azure-arm/fake-arm.ts';
import { selfSignedCertificate, type TlsMaterial } from './tls-material.ts';
import { type PrivateMariadb, startMariadb } from '../../support/mariadb.ts';

export const SUBSCRIPTION = '00000000-1111-2222-3333-444444444444';
export const RESOURCE_GROUP = 'rg-omnibroker';
export const ACCESS_TOKEN = 'fake-arm-token';
/** Accepted by the fake ARM, but its identity has no role on the resource group. */
export const TOKEN_WITHOUT_ROLE = 'fake-arm-token-without-role';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export function ctx(): CallContext {
  return { signal: AbortSignal.timeout(20_000), log: silent };
}

/** A fake ARM (HTTPS, self-signed) whose servers live inside one private TLS-only mariadbd. */
export interface AzureWorld {
  tls: TlsMaterial;
  db: PrivateMariadb;
  arm: FakeArm;
  /** Backend options (as in a config file) pointing at this world. */
  options(extra?: JsonObject): JsonObject;
  /** A fresh backend instance each call, as a new broker process would create it. */
  backend(options?: JsonObject): Promise<Backend>;
  stop(): Promise<void>;
}

export async function startAzureWorld(
  fakeOptions: Pick<FakeArmOptions, 'pollsPerOperation' | 'verifyToken'> = {},
): Promise<AzureWorld> {
  const tls = selfSignedCertificate();
  const db = await startMariadb({ tls });
  const arm = await startFakeArm({
    tls,
    subscriptionId: SUBSCRIPTION,
    accessToken: ACCESS_TOKEN,
    tokenWithoutRole: TOKEN_WITHOUT_ROLE,
    resourceGroups: [RESOURCE_GROUP],
    fqdn: () => '127.0.0.1',
    ...fakeOptions,
    mysql: { host: '127.0.0.1', port: db.port, user: 'root', password: '', tls: { ca: tls.cert } },
  });
  const options = (extra: JsonObject = {}): JsonObject => ({
    subscriptionId: SUBSCRIPTION,
    resourceGroup: RESOURCE_GROUP,
    location: 'westeurope',
    credentials: { accessToken: ACCESS_TOKEN },
    endpoint: arm.url,
    endpointCaCertificate: tls.cert,
    adminPasswordKey: 'test-admin-password-key-0123456789abcdef',
    mysqlPort: db.port,
    mysqlCaCertificate: tls.cert,
    ...extra,
  });
  return {
    tls,
    db,
    arm,
    options,
    async backend(extra = {}) {
      return azure.create(options(extra) as Parameters<typeof azure.create>[0], {
        name: 'azure',
        log: silent,
        configDir: process.cwd(),
      });
    },
    async stop() {
      await arm.close();
      await db.stop();
      tls.remove();
    },
  };
}

export function instanceFrom(
  id: string,
  serviceId: string,
  planId: string,
  parameters: JsonObject,
  outcome: Outcome<ProvisionOutput>,
): InstanceView {
  const output = outcome.output ?? {};
  return {
    id,
    serviceId,
    planId,
    parameters,
    context: {},
    data: { ...(output.data ?? {}) },
    secrets: { ...(output.secrets ?? {}) },
  };
}

export function tokenOf(outcome: Outcome<unknown>): string {
  if (outcome.state !== 'started') throw new Error(`expected a started operation, got ${JSON.stringify(outcome)}`);
  return outcome.operation;
}

export interface Settled {
  status: OperationStatus<ProvisionOutput>;
  descriptions: string[];
}

/** Polls like the broker does (any number of times, token refreshed, output merged) until the operation settles. */
export async function pollUntilSettled(
  backend: Backend,
  instance: InstanceView,
  kind: 'provision' | 'update' | 'deprovision',
  operation: string,
  maxPolls = 30,
): Promise<Settled> {
  const descriptions: string[] = [];
  let token = operation;
  for (let i = 0; i < maxPolls; i++) {
    const status = await backend.lastOperation?.({ instance, kind, operation: token }, ctx());
    if (status === undefined) throw new Error('backend has no lastOperation');
    if (status.description !== undefined) descriptions.push(status.description);
    if (status.operation !== undefined) token = status.operation;
    if (status.state !== 'in progress') {
      Object.assign(instance.data, status.output?.data ?? {});
      return { status, descriptions };
    }
  }
  throw new Error(`operation still in progress after ${maxPolls} polls: ${descriptions.join(' | ')}`);
}
