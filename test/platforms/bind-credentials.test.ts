import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness, TEST_AUTH } from '../support/harness.ts';
import { loginAndQuery, type PrivateMariadb, startMariadb } from '../support/mariadb.ts';
import { injectSender } from '../support/osb-client.ts';
import { fileBindingProblems } from './file-binding-shape.ts';
import { KorifiClient, type PlanIds } from './korifi-client.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../fakes/upstream-broker/options.ts';

// OSB-RULES 23-25: what each built-in backend that runs here hands an app, checked key by key.
const AWKWARD_UPSTREAM_CREDENTIALS = {
  jdbcUrl: 'jdbc:postgresql://db.upstream.test:5432/app',
  name: 'upstream-name',
  tags: ['primary'],
  ssl: true,
  tls: { caCert: 'PEM' },
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
};

let db: PrivateMariadb;
let upstream: UpstreamBroker;
let harness: Harness;
let korifi: KorifiClient;

beforeAll(async () => {
  [db, upstream] = await Promise.all([
    startMariadb(),
    startUpstreamBroker({ mode: 'sync', credentials: AWKWARD_UPSTREAM_CREDENTIALS }),
  ]);
  const osb = { url: upstream.url, ...UPSTREAM_DEFAULT_AUTH };
  harness = await startHarness({
    backends: [
      { name: 'shared', type: 'mysql', options: { url: db.url }, prefix: '' },
      { name: 'raw', type: 'osb', options: osb },
      { name: 'norm', type: 'osb', options: { ...osb, normalizeCredentials: true, credentialType: 'postgresql' } },
    ],
  });
  korifi = new KorifiClient(injectSender(harness.app), TEST_AUTH, { sends: 2, firstDelayMs: 5 });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await Promise.all([db?.stop(), upstream?.stop()]);
});

/** Provisions and binds as Korifi does; answers the credentials of the first and of the re-sent bind. */
async function bindAsKorifi(instance: string, ids: PlanIds) {
  const provisions = await korifi.burst(korifi.provisionRequest(instance, ids));
  expect(provisions.map((a) => a.status)).toEqual([201, 200]);
  const binds = await korifi.burst(korifi.bindRequest(instance, `${instance}-b`, ids));
  expect(binds.map((a) => a.status)).toEqual([201, 200]);
  expect(binds[1]?.body.credentials).toEqual(binds[0]?.body.credentials);
  return binds[0]?.body.credentials as Record<string, string>;
}

describe('mysql backend', () => {
  it('is offered as "mysql" with the mysql tag when its prefix is empty (rule 25)', async () => {
    const catalog = (await harness.client.catalog()).body as { services: Array<Record<string, unknown>> };
    const service = catalog.services.find((s) => s.id === 'shared.mysql');
    expect(service?.name).toBe('mysql');
    expect(service?.tags).toContain('mysql');
  });

  it('binds credentials an app reads key by key, and they log in', async () => {
    const credentials = await bindAsKorifi('cred-mysql-1', { service_id: 'shared.mysql', plan_id: 'shared.shared' });
    expect(fileBindingProblems(credentials, 'mysql')).toEqual([]);
    expect(credentials.host).toBe(db.host);
    expect(credentials.port).toBe(String(db.port));

    const uri = new URL(credentials.uri as string);
    expect(uri.protocol).toBe('mysql:');
    expect(decodeURIComponent(uri.username)).toBe(credentials.username);
    expect(decodeURIComponent(uri.password)).toBe(credentials.password);
    expect(uri.hostname).toBe(credentials.host);
    expect(uri.port).toBe(credentials.port);
    expect(decodeURIComponent(uri.pathname.slice(1))).toBe(credentials.database);

    const jdbc = credentials['jdbc-url'] as string;
    expect(jdbc).toBe(`jdbc:mysql://${credentials.host}:${credentials.port}/${credentials.database}`);
    expect(jdbc).not.toContain(credentials.password as string);

    const rows = await loginAndQuery({
      host: credentials.host as string,
      port: Number(credentials.port),
      user: credentials.username as string,
      password: credentials.password as string,
      database: credentials.database as string,
      sql: 'SELECT DATABASE() AS db',
    });
    expect(rows).toEqual([{ db: credentials.database }]);
  });
});

describe('osb backend', () => {
  it('passes upstream credentials through unchanged by default (rule 25)', async () => {
    const credentials = await bindAsKorifi('cred-raw-1', { service_id: 'raw.svc-postgres', plan_id: 'raw.plan-small' });
    expect(credentials).toEqual(upstream.state.bindings.get('cred-raw-1-b')?.credentials);
    expect(credentials).toMatchObject(AWKWARD_UPSTREAM_CREDENTIALS);
  });

  it('normalises them key by key when configured to', async () => {
    const credentials = await bindAsKorifi('cred-norm-1', {
      service_id: 'norm.svc-postgres',
      plan_id: 'norm.plan-small',
    });
    const original = upstream.state.bindings.get('cred-norm-1-b')?.credentials as Record<string, unknown>;
    expect(fileBindingProblems(credentials)).toEqual([]);
    expect(credentials).toEqual({
      type: 'postgresql',
      provider: 'norm',
      uri: original.uri,
      username: original.username,
      password: original.password,
      'host-name': original.hostName,
      port: '5432',
      'database-name': original.databaseName,
      'jdbc-url': AWKWARD_UPSTREAM_CREDENTIALS.jdbcUrl,
      'upstream-name': 'upstream-name',
      'upstream-tags': '["primary"]',
      ssl: 'true',
      'tls.ca-cert': 'PEM',
      'aws-secret-access-key': 'aws-secret',
    });
  });
});
