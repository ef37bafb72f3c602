import { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  credentialViolations,
  derivedName,
  type InstanceView,
  type JsonObject,
} from '../../../src/plugin-api/index.ts';
import { type FakeMongod, startFakeMongod } from '../../fakes/mongodb/fake-mongod.ts';
import { freePort } from '../../support/ports.ts';
import { bindOnce, ctx, decodeSecret, type HelmWorld, provisionReady, startHelmWorld } from './setup.ts';

const NS = 'services';
const ROOT_PASSWORD = 'mongo-root-pw';

describe('local-helm bind mongodb: a MongoDB user per binding', () => {
  let world: HelmWorld;
  let mongod: FakeMongod;
  /** One release for the tests that need no values of their own; each binds under its own binding ids. */
  let instance: InstanceView;
  beforeAll(async () => {
    [world, mongod] = await Promise.all([
      startHelmWorld(),
      startFakeMongod({ root: { user: 'root', password: ROOT_PASSWORD } }),
    ]);
    instance = await provision(await backend(), 'mongo-1');
  });
  afterAll(async () => {
    await Promise.all([world?.close(), mongod?.close()]);
  });

  const backend = (connectTo = `${mongod.host}:${mongod.port}`) =>
    world.backend({
      namespace: NS,
      charts: ['mongodb'],
      provisioningSettings: { mongodb: { auth: { rootPassword: ROOT_PASSWORD } } },
      connectAddressOverrides: { mongodb: connectTo },
    });

  const provision = (helm: Backend, instanceId: string, parameters = {}) =>
    provisionReady(world, helm, { instanceId, chart: 'mongodb', planId: 'mongodb-8.0.5', parameters });

  const unbind = (helm: Backend, id: string, data: JsonObject = {}) =>
    helm.unbind(
      {
        instance,
        binding: { id, instanceId: instance.id, parameters: {}, data, secrets: {} },
        acceptsIncomplete: false,
      },
      ctx(),
    );

  /** Logs in with a binding's `uri` as an application would, only pointed at the fake instead of the Service. */
  async function withUri<T>(credentials: Record<string, string>, work: (client: MongoClient) => Promise<T>) {
    const uri = credentials.uri!.replace(
      `@${credentials.host}:${credentials.port}/`,
      `@${mongod.host}:${mongod.port}/`,
    );
    const client = new MongoClient(uri, { directConnection: true, serverSelectionTimeoutMS: 2000 });
    try {
      await client.connect();
      return await work(client);
    } finally {
      await client.close();
    }
  }

  const serverError = (promise: Promise<unknown>) =>
    promise.then(
      () => 'succeeded',
      (error: unknown) => (error instanceof MongoServerError ? { code: error.code, message: error.message } : error),
    );

  it('the uri logs in, writes and reads its database, and is refused on any other', async () => {
    const helm = await backend();
    const fullname = `${instance.data.release}-mongodb`;
    const host = `${fullname}.${NS}.svc.cluster.local`;
    const bindingId = 'mongo-rw-binding';
    const username = derivedName('u', bindingId, 15);
    const { credentials: creds, data } = await bindOnce(helm, instance, bindingId);
    expect(credentialViolations(creds)).toEqual([]);
    expect(creds).toEqual({
      type: 'mongodb',
      provider: 'helm-bitnami',
      host,
      port: '27017',
      database: 'db',
      username,
      password: creds.password,
      uri: `mongodb://${username}:${creds.password}@${host}:27017/db?authSource=db`,
    });
    expect(data).toEqual({ username, database: 'db' });
    expect(creds.password).not.toBe(decodeSecret(world.kube, NS, fullname, 'mongodb-root-password'));

    await withUri(creds, async (client) => {
      await client.db().collection('orders').insertOne({ order: 1 });
      expect((await client.db().collection('orders').findOne({ order: 1 }))?.order).toBe(1);
      expect(await serverError(client.db('admin').collection('orders').insertOne({ order: 2 }))).toMatchObject({
        code: 13,
        message: expect.stringMatching(/^not authorized on admin/),
      });
      expect(await serverError(client.db('other').collection('orders').find().toArray())).toMatchObject({ code: 13 });
    });
  });

  it('two bindings are two users; unbind drops one (its login fails), the other keeps working', async () => {
    const helm = await backend();
    const first = await bindOnce(helm, instance, 'mongo-two-a');
    const second = await bindOnce(helm, instance, 'mongo-two-b');
    expect(first.credentials.username).not.toBe(second.credentials.username);
    expect(first.credentials.password).not.toBe(second.credentials.password);
    await withUri(first.credentials, (c) => c.db().collection('shared').insertOne({ from: 'a' }));
    expect(await withUri(second.credentials, (c) => c.db().collection('shared').findOne({ from: 'a' }))).toMatchObject({
      from: 'a',
    });

    await unbind(helm, 'mongo-two-a', first.data);
    expect(await serverError(withUri(first.credentials, (c) => c.db().command({ ping: 1 })))).toEqual({
      code: 18,
      message: 'Authentication failed.',
    });
    expect(await withUri(second.credentials, (c) => c.db().command({ ping: 1 }))).toEqual({ ok: 1 });
    // A user already gone counts as dropped: a repeated unbind succeeds.
    await expect(unbind(helm, 'mongo-two-a', first.data)).resolves.toEqual({
      state: 'done',
      output: {},
    });
  });

  it('a repeated bind of the same binding resets its password: only the newest one logs in', async () => {
    const helm = await backend();
    const before = await bindOnce(helm, instance, 'mongo-again-b');
    const after = await bindOnce(helm, instance, 'mongo-again-b');
    expect(after.credentials.username).toBe(before.credentials.username);
    expect(await serverError(withUri(before.credentials, (c) => c.db().command({ ping: 1 })))).toMatchObject({
      code: 18,
    });
    expect(await withUri(after.credentials, (c) => c.db().command({ ping: 1 }))).toEqual({ ok: 1 });
  });

  it("the chart's first auth.databases entry is the binding's database", async () => {
    const helm = await backend();
    const custom = await provision(helm, 'mongo-custom', {
      auth: { usernames: ['shop'], passwords: ['shop-pw'], databases: ['inventory', 'audit'] },
    });
    const { credentials: creds } = await bindOnce(helm, custom, 'mongo-custom-b');
    expect(creds).toMatchObject({
      database: 'inventory',
      uri: expect.stringMatching(/\/inventory\?authSource=inventory$/),
    });
    await withUri(creds, (c) => c.db().collection('stock').insertOne({ sku: 'x' }));
    expect(await serverError(withUri(creds, (c) => c.db('audit').collection('log').insertOne({})))).toMatchObject({
      code: 13,
    });
  });

  it('an unreachable server is an Unavailable error naming the address the broker tried', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const helm = await backend(address);
    await expect(bindOnce(helm, instance, 'mongo-down-b')).rejects.toMatchObject({
      name: 'BackendError',
      code: 'Unavailable',
      message: `MongoDB of release ${instance.data.release} at ${address} is unreachable: connect ECONNREFUSED ${address}`,
    });
  });
});

describe('local-helm bind mongodb with architecture: replicaset', () => {
  let world: HelmWorld;
  let mongod: FakeMongod;
  beforeAll(async () => {
    [world, mongod] = await Promise.all([
      startHelmWorld(),
      startFakeMongod({ root: { user: 'admin', password: ROOT_PASSWORD }, replicaSet: 'rs-shop' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([world?.close(), mongod?.close()]);
  });

  it('binds through the headless Service (the only one) and creates the user on the primary of replicaSetName', async () => {
    const helm = await world.backend({
      namespace: NS,
      charts: ['mongodb'],
      provisioningSettings: { mongodb: { auth: { rootPassword: ROOT_PASSWORD } } },
      connectAddressOverrides: { mongodb: `${mongod.host}:${mongod.port}` },
    });
    const instance = await provisionReady(world, helm, {
      instanceId: 'mongo-rs-1',
      chart: 'mongodb',
      planId: 'mongodb-8.0.5',
      parameters: { architecture: 'replicaset', replicaSetName: 'rs-shop', auth: { rootUser: 'admin' } },
    });
    const headless = `${instance.data.release}-mongodb-headless`;
    const { credentials: creds } = await bindOnce(helm, instance, 'rs-binding');
    expect(creds.host).toBe(`${headless}.${NS}.svc.cluster.local`);
    const client = new MongoClient(`mongodb://${mongod.host}:${mongod.port}/?replicaSet=rs-shop`, {
      auth: { username: creds.username!, password: creds.password! },
      authSource: 'db',
      serverSelectionTimeoutMS: 2000,
    });
    try {
      await client.db('db').collection('things').insertOne({ on: 'primary' });
      expect(await client.db('db').collection('things').findOne({ on: 'primary' })).toMatchObject({ on: 'primary' });
    } finally {
      await client.close();
    }
  });
});
