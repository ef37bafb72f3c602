import { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMongod, startFakeMongod } from './fake-mongod.ts';

const ROOT = { user: 'root', password: 'root-secret' };

describe('fake mongod against the real driver', () => {
  let mongod: FakeMongod;
  beforeAll(async () => {
    mongod = await startFakeMongod({ root: ROOT });
  });
  afterAll(() => mongod?.close());

  async function withLogin<T>(
    user: string,
    password: string,
    authSource: string,
    work: (c: MongoClient) => Promise<T>,
  ) {
    const client = new MongoClient(`mongodb://${mongod.host}:${mongod.port}/`, {
      auth: { username: user, password },
      authSource,
      directConnection: true,
      serverSelectionTimeoutMS: 2000,
    });
    try {
      await client.connect();
      return await work(client);
    } finally {
      await client.close();
    }
  }

  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => (error instanceof MongoServerError ? { code: error.code, message: error.message } : error),
    );

  it('accepts the right password and refuses a wrong one or an unknown user as mongod does', async () => {
    expect(await withLogin(ROOT.user, ROOT.password, 'admin', (c) => c.db('admin').command({ ping: 1 }))).toEqual({
      ok: 1,
    });
    const refused = { code: 18, message: 'Authentication failed.' };
    expect(await failureOf(withLogin(ROOT.user, 'wrong', 'admin', async () => undefined))).toEqual(refused);
    expect(await failureOf(withLogin('nobody', ROOT.password, 'admin', async () => undefined))).toEqual(refused);
    // Users belong to their authentication database.
    expect(await failureOf(withLogin(ROOT.user, ROOT.password, 'app', async () => undefined))).toEqual(refused);
  });

  it('keeps users and documents: readWrite on one database only, user admin for root only', async () => {
    await withLogin(ROOT.user, ROOT.password, 'admin', async (root) => {
      await root.db('app').command({ createUser: 'alice', pwd: 'alice-pw', roles: [{ role: 'readWrite', db: 'app' }] });
      expect(await failureOf(root.db('app').command({ createUser: 'alice', pwd: 'x', roles: ['readWrite'] }))).toEqual({
        code: 51003,
        message: 'User "alice@app" already exists',
      });
      expect(await failureOf(root.db('app').command({ dropUser: 'bob' }))).toEqual({
        code: 11,
        message: "User 'bob@app' not found",
      });
    });
    await withLogin('alice', 'alice-pw', 'app', async (alice) => {
      await alice.db('app').collection('notes').insertOne({ text: 'hello' });
      const found = await alice.db('app').collection('notes').find({ text: 'hello' }).toArray();
      expect(found.map((d) => d.text)).toEqual(['hello']);
      expect(await failureOf(alice.db('other').collection('notes').insertOne({ text: 'x' }))).toMatchObject({
        code: 13,
      });
      expect(
        await failureOf(alice.db('app').command({ createUser: 'mallory', pwd: 'm', roles: ['readWrite'] })),
      ).toMatchObject({ code: 13 });
    });
  });
});
