import { describe } from 'vitest';
import mysqlBackend from '../../src/backends/mysql/index.ts';
import osbBackend from '../../src/backends/osb/index.ts';
import { startUpstreamBroker, type UpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type PrivateMariadb, startMariadb } from '../support/mariadb.ts';
import { backendContract } from './backend-contract.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../fakes/upstream-broker/options.ts';

describe('mysql backend', () => {
  let mariadb: PrivateMariadb;
  backendContract({
    name: 'mysql',
    definition: mysqlBackend,
    options: () => ({ url: mariadb.url }),
    setup: async () => {
      mariadb = await startMariadb();
    },
    teardown: () => mariadb.stop(),
    sample: { serviceId: 'mysql', planId: 'shared' },
  });
});

describe('osb backend', () => {
  let upstream: UpstreamBroker;
  backendContract({
    name: 'osb',
    definition: osbBackend,
    options: () => ({
      url: upstream.url,
      ...UPSTREAM_DEFAULT_AUTH,
      normalizeCredentials: true,
      credentialType: 'postgresql',
    }),
    setup: async () => {
      upstream = await startUpstreamBroker({ asyncMs: 50 });
    },
    teardown: () => upstream.stop(),
    sample: { serviceId: 'svc-postgres', planId: 'plan-small' },
  });
});
