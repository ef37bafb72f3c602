import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBackendError, type JsonObject, type ProvisionRequest } from '../../../src/plugin-api/index.ts';
import { type FakeEntra, startFakeEntra } from '../../fakes/entra/fake-entra.ts';
import { startBrokerProcess } from '../../support/broker-process.ts';
import { startHarness } from '../../support/harness.ts';
import { waitFor } from '../../support/ports.ts';
import { type AzureWorld, ctx, instanceFrom, pollUntilSettled, startAzureWorld, tokenOf } from './azure-world.ts';
import { selfSignedCertificate, type TlsMaterial } from './tls-material.ts';

const TENANT = '3f2b8e1c-5a47-4d0e-9c61-0b7e2d9a4c18';
const BROKER_APP = {
  clientId: '6d1e0f3a-2b4c-4e8d-a9f7-1c2b3d4e5f60',
  clientSecret: 'Sp~broker.secret-Value_0123456789',
};
const ENV_APP = { clientId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', clientSecret: 'Sp~env.secret-Value_9876543210' };
const WRONG_SECRET = 'Sp~not.the-secret_4242424242';
const ids = { service_id: 'azure.mysql', plan_id: 'azure.mysql.burstable' };

let entraTls: TlsMaterial;
let entra: FakeEntra;
let world: AzureWorld;

beforeAll(async () => {
  // Its own CA, unlike ARM's: trusting one must not trust the other.
  entraTls = selfSignedCertificate();
  entra = await startFakeEntra({
    tls: entraTls,
    tenantId: TENANT,
    applications: { [BROKER_APP.clientId]: BROKER_APP.clientSecret, [ENV_APP.clientId]: ENV_APP.clientSecret },
  });
  world = await startAzureWorld({ verifyToken: entra.verify });
});

afterAll(async () => {
  await world?.stop();
  await entra?.close();
  entraTls?.remove();
});

function servicePrincipal(clientSecret = BROKER_APP.clientSecret): JsonObject {
  return {
    tenantId: TENANT,
    clientId: BROKER_APP.clientId,
    clientSecret,
    authorityHost: entra.url,
    authorityCaCertificate: entraTls.cert,
  };
}

function burstableServer(instanceId: string, parameters: JsonObject = {}): ProvisionRequest {
  return {
    instanceId,
    serviceId: 'mysql',
    planId: 'mysql.burstable',
    parameters,
    context: {},
    acceptsIncomplete: true,
  };
}

/** What Entra and ARM see from here on. */
function traffic() {
  const tokens = entra.tokenRequests.length;
  const entraCalls = entra.requests.length;
  const arm = world.arm.requests.length;
  return {
    tokenRequests: () => entra.tokenRequests.slice(tokens),
    entraCalls: () => entra.requests.slice(entraCalls),
    armCalls: () => world.arm.requests.slice(arm),
  };
}

describe('azure backend with Microsoft Entra ID credentials', () => {
  it('provisions with a service principal, asking Entra for one token for all its ARM calls', async () => {
    const seen = traffic();
    const backend = await world.backend({ credentials: servicePrincipal() });
    const parameters = {
      firewall_rules: [{ name: 'office', start_ip_address: '203.0.113.7', end_ip_address: '203.0.113.7' }],
    };
    const outcome = await backend.provision(burstableServer('sp-1', parameters), ctx());
    const instance = instanceFrom('sp-1', 'mysql', 'mysql.burstable', parameters, outcome);
    const { status } = await pollUntilSettled(backend, instance, 'provision', tokenOf(outcome));

    expect(status.state).toBe('succeeded');
    expect(world.arm.servers.get(String(instance.data.server))?.state).toBe('Ready');
    const armCalls = seen.armCalls();
    expect(armCalls.length).toBeGreaterThan(5);
    expect(armCalls.filter((call) => call.status === 401)).toEqual([]);
    expect(seen.tokenRequests()).toEqual([
      { tenantId: TENANT, clientId: BROKER_APP.clientId, scope: `${world.arm.url}/.default`, status: 200 },
    ]);
  });

  it('answers 503 naming AADSTS7000215 for a wrong client secret, never showing the secret', async () => {
    const harness = await startHarness({
      backends: [
        { name: 'azure', type: 'azure', options: world.options({ credentials: servicePrincipal(WRONG_SECRET) }) },
      ],
    });
    try {
      const seen = traffic();
      const refused = await harness.client.provision('sp-wrong', ids);

      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({
        error: 'ServiceUnavailable',
        description: expect.stringMatching(
          /^backend "azure": Microsoft Entra ID refused service principal [^:]+: AADSTS7000215: Invalid client secret provided\..* Check credentials\.clientSecret/,
        ),
      });
      expect(refused.text).not.toContain(WRONG_SECRET);
      expect(refused.text).not.toContain(BROKER_APP.clientSecret);
      expect(seen.tokenRequests().map((request) => request.status)).toEqual([401]);
      expect(seen.armCalls()).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  it('does not trust the authority without its CA', async () => {
    const seen = traffic();
    const { authorityCaCertificate: _, ...withoutCa } = servicePrincipal();
    const backend = await world.backend({ credentials: withoutCa });
    const error = await backend.provision(burstableServer('sp-no-ca'), ctx()).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(isBackendError(error) && error.code).toBe('Unavailable');
    expect((error as Error).message).toMatch(
      /^no Azure token for service principal .* Check that credentials\.authorityHost is reachable and trusted \(credentials\.authorityCaCertificate\)/,
    );
    expect(seen.entraCalls()).toEqual([]);
  });

  it('refuses an authorityHost without https at start-up', async () => {
    const options = world.options({ credentials: { ...servicePrincipal(), authorityHost: 'http://127.0.0.1:1' } });
    await expect(startHarness({ backends: [{ name: 'azure', type: 'azure', options }] })).rejects.toThrow(
      'backends[0].options.credentials.authorityHost: must match pattern "^https://"',
    );
  });

  it('with chain: default, a broker process authenticates from AZURE_* variables, never logging the secret', async () => {
    const seen = traffic();
    const environment = {
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: ENV_APP.clientId,
      AZURE_CLIENT_SECRET: WRONG_SECRET,
      AZURE_AUTHORITY_HOST: entra.url,
    };
    const broker = await startBrokerProcess(
      {
        state: { type: 'memory' },
        backends: [
          {
            name: 'azure',
            type: 'azure',
            options: world.options({ credentials: { chain: 'default', authorityCaCertificate: entraTls.cert } }),
          },
        ],
        operations: { minPollIntervalMs: 0, sweepIntervalMs: 200 },
      },
      { env: environment },
    );
    try {
      const refused = await broker.client.provision('env-wrong', ids);
      expect(refused.status).toBe(503);
      expect(refused.body.description).toEqual(
        expect.stringMatching(/AADSTS7000215: .* Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET/),
      );

      // The refusal's log line must be written before kill -9 can drop it: it is what the secret must not be in.
      await waitFor(async () => broker.output().includes('AADSTS7000215'), 10_000, 'the refusal in the broker log');
      await broker.restart({ AZURE_CLIENT_SECRET: ENV_APP.clientSecret });
      const provision = await broker.client.provision('env-1', ids);
      expect(provision.status).toBe(202);
      expect(
        await broker.client.waitForInstance('env-1', provision.body.operation as string | undefined, 30_000),
      ).toMatchObject({ state: 'succeeded' });

      expect(seen.tokenRequests()).toEqual([
        { tenantId: TENANT, clientId: ENV_APP.clientId, scope: `${world.arm.url}/.default`, status: 401 },
        { tenantId: TENANT, clientId: ENV_APP.clientId, scope: `${world.arm.url}/.default`, status: 200 },
      ]);
      expect(broker.output()).not.toContain(WRONG_SECRET);
      expect(broker.output()).not.toContain(ENV_APP.clientSecret);
    } finally {
      await broker.dispose();
    }
  }, 60_000);
});
