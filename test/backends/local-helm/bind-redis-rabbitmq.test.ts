import { once } from 'node:events';
import { createServer } from 'node:net';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, InstanceView, JsonObject } from '../../../src/plugin-api/index.ts';
import { credentialViolations, derivedName } from '../../../src/plugin-api/index.ts';
import { freePort, waitFor } from '../../support/ports.ts';
import { type PrivateRabbitmq, startRabbitmq } from '../../support/rabbitmq.ts';
import { type PrivateRedis, startRedis } from '../../support/redis.ts';
import { bindOnce, ctx, decodeSecret, type HelmWorld, provisionReady, startHelmWorld } from './setup.ts';

const NS = 'services';
const svcHost = (fullname: string) => `${fullname}.${NS}.svc.cluster.local`;
const REDIS_PASSWORD = 'release-redis-pw';
const RABBITMQ_ADMIN = { username: 'user', password: 'release-rabbitmq-pw' };

let world: HelmWorld;
let redis: PrivateRedis;
let rabbitmq: PrivateRabbitmq;
beforeAll(async () => {
  [world, redis, rabbitmq] = await Promise.all([
    startHelmWorld(),
    startRedis({ password: REDIS_PASSWORD }),
    startRabbitmq(RABBITMQ_ADMIN),
  ]);
});
afterAll(async () => {
  await Promise.all([world?.close(), redis?.stop(), rabbitmq?.stop()]);
});

const backend = (overrides: Record<string, string> = {}) =>
  world.backend({
    namespace: NS,
    charts: ['redis', 'rabbitmq'],
    connectAddressOverrides: {
      redis: `127.0.0.1:${redis.port}`,
      rabbitmq: `127.0.0.1:${rabbitmq.amqpPort}`,
      'rabbitmq/http-stats': `127.0.0.1:${rabbitmq.managementPort}`,
      ...overrides,
    },
  });

/** A TCP server that reads what a client sends and never answers; counts the connections opened and closed. */
async function silentServer() {
  const counts = { opened: 0, closed: 0 };
  const server = createServer((socket) => {
    counts.opened++;
    socket.resume();
    socket.on('close', () => counts.closed++);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { port, counts, close: () => server.close() };
}

async function unbindOnce(helm: Backend, instance: InstanceView, bindingId: string, data: JsonObject | undefined) {
  const binding = { id: bindingId, instanceId: instance.id, parameters: {}, data: data ?? {}, secrets: {} };
  await helm.unbind({ instance, binding, acceptsIncomplete: false }, ctx());
}

describe('local-helm bind, redis: an ACL user per binding on the master', () => {
  const provisionRedis = async (via: Backend, instanceId: string, parameters: JsonObject = {}) =>
    provisionReady(world, via, {
      instanceId,
      chart: 'redis',
      planId: 'redis-7.4.2',
      parameters: { auth: { password: REDIS_PASSWORD }, ...parameters },
    });
  let helm: Backend;
  let instance: InstanceView;
  beforeAll(async () => {
    helm = await backend();
    instance = await provisionRedis(helm, 'redis-1');
  });

  /** A connection that has not authenticated yet, so AUTH is the test's own command. */
  async function connect(): Promise<Redis> {
    const client = new Redis({
      port: redis.port,
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  async function loginAs(username: string, password: string): Promise<Redis> {
    const client = await connect();
    await client.call('AUTH', username, password).catch((err: unknown) => {
      client.disconnect();
      throw err;
    });
    return client;
  }

  async function asDefaultUser<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    const client = await loginAs('default', REDIS_PASSWORD);
    try {
      return await work(client);
    } finally {
      client.disconnect();
    }
  }

  it('logs in with its own password, reads and writes, cannot administer; unbind deletes it and drops its connections', async () => {
    const host = svcHost(`${instance.data.release}-redis-master`);
    const bindingId = `redis-binding-${process.pid}`;
    const username = derivedName('u', bindingId, 15);
    const { credentials: creds, data } = await bindOnce(helm, instance, bindingId);
    expect(credentialViolations(creds)).toEqual([]);
    expect(creds).toEqual({
      type: 'redis',
      provider: 'helm-bitnami',
      host,
      port: '6379',
      username,
      password: creds.password,
      ssl: 'false',
      url: `redis://${username}:${creds.password}@${host}:6379`,
    });
    const releasePassword = decodeSecret(world.kube, NS, `${instance.data.release}-redis`, 'redis-password');
    expect(creds.password).not.toBe(releasePassword);

    const app = await loginAs(username, creds.password!);
    expect(await app.call('ACL', 'WHOAMI')).toBe(username);
    await app.set('greeting', 'hello');
    expect(await app.get('greeting')).toBe('hello');
    await expect(app.call('CONFIG', 'GET', 'requirepass')).rejects.toThrow(/NOPERM/);
    await expect(app.call('ACL', 'LIST')).rejects.toThrow(/NOPERM/);
    await expect(app.call('ACL', 'SETUSER', username, '+@all')).rejects.toThrow(/NOPERM/);
    await expect(app.call('SHUTDOWN')).rejects.toThrow(/NOPERM/);

    const closed = once(app, 'end');
    await unbindOnce(helm, instance, bindingId, data);
    await closed;
    await expect(loginAs(username, creds.password!)).rejects.toThrow(/WRONGPASS/);
    expect(await asDefaultUser((client) => client.call('ACL', 'USERS'))).not.toContain(username);
    // A repeated unbind finds nothing left to delete.
    await unbindOnce(helm, instance, bindingId, data);
  });

  it('two bindings get two users; a repeated bind of one replaces its password', async () => {
    const first = await bindOnce(helm, instance, 'redis-b1');
    const second = await bindOnce(helm, instance, 'redis-b2');
    expect(first.credentials.username).not.toBe(second.credentials.username);
    expect(await asDefaultUser((client) => client.call('ACL', 'USERS'))).toEqual(
      expect.arrayContaining([first.credentials.username, second.credentials.username]),
    );
    const again = await bindOnce(helm, instance, 'redis-b1');
    expect(again.credentials.username).toBe(first.credentials.username);
    await expect(loginAs(first.credentials.username!, first.credentials.password!)).rejects.toThrow(/WRONGPASS/);
    (await loginAs(again.credentials.username!, again.credentials.password!)).disconnect();

    await unbindOnce(helm, instance, 'redis-b1', again.data);
    const other = await loginAs(second.credentials.username!, second.credentials.password!);
    expect(await other.call('ACL', 'WHOAMI')).toBe(second.credentials.username);
    other.disconnect();
    await unbindOnce(helm, instance, 'redis-b2', second.data);
  });

  it('without auth, or with Sentinel, no user is made: the release’s own access at the Service address', async () => {
    const usersBefore = await asDefaultUser((client) => client.call('ACL', 'USERS'));

    const open = await provisionRedis(helm, 'redis-noauth', { auth: { enabled: false } });
    const openHost = svcHost(`${open.data.release}-redis-master`);
    const openBinding = await bindOnce(helm, open, 'redis-noauth-b');
    expect(openBinding).toEqual({
      credentials: {
        type: 'redis',
        provider: 'helm-bitnami',
        host: openHost,
        port: '6379',
        password: '',
        ssl: 'false',
        url: `redis://${openHost}:6379`,
      },
    });

    const sentinel = await provisionRedis(helm, 'redis-sentinel', { sentinel: { enabled: true } });
    const { credentials, data } = await bindOnce(helm, sentinel, 'redis-sentinel-b');
    expect(credentials).toMatchObject({ password: REDIS_PASSWORD });
    expect(credentials.username).toBeUndefined();
    expect(data).toBeUndefined();
    expect(await asDefaultUser((client) => client.call('ACL', 'USERS'))).toEqual(usersBefore);
  });

  it('an unreachable server is Unavailable; a Secret that does not match the server says WRONGPASS', async () => {
    const down = await backend({ redis: `127.0.0.1:${await freePort()}` });
    await expect(bindOnce(down, instance, 'redis-down-b')).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    const stale = await provisionRedis(helm, 'redis-stale', { auth: { password: 'not-the-server-password' } });
    await expect(bindOnce(helm, stale, 'redis-stale-b')).rejects.toMatchObject({
      code: 'Internal',
      message: expect.stringMatching(/WRONGPASS/),
    });
  });
  it('a server that accepts and never answers: the bind ends with the call deadline and its connection closes', async () => {
    const silent = await silentServer();
    try {
      const hung = await backend({ redis: `127.0.0.1:${silent.port}` });
      const deadline = new AbortController();
      const bound = hung.bind(
        { instance, bindingId: 'redis-hung-b', parameters: {}, context: {}, acceptsIncomplete: false },
        ctx(deadline.signal),
      );
      bound.catch(() => undefined);
      await waitFor(async () => silent.counts.opened > 0, 5000, 'the bind to connect');
      expect(silent.counts.opened).toBe(1);
      deadline.abort(new Error('deadline exceeded'));
      await expect(bound).rejects.toThrow(/deadline exceeded/);
      await waitFor(async () => silent.counts.closed > 0, 5000, 'the connection to close');
      expect(silent.counts.closed).toBe(1);
    } finally {
      silent.close();
    }
  });
});

describe('local-helm bind, rabbitmq: a user per binding through the management API', () => {
  const management = (path: string, as = RABBITMQ_ADMIN, method = 'GET') =>
    fetch(`${rabbitmq.managementUrl}/api/${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${as.username}:${as.password}`).toString('base64')}` },
    });

  const provisionRabbitmq = (via: Backend, instanceId: string, parameters: JsonObject = {}) =>
    provisionReady(world, via, {
      instanceId,
      chart: 'rabbitmq',
      planId: 'rabbitmq-4.0.7',
      parameters: { auth: { password: RABBITMQ_ADMIN.password }, ...parameters },
    });
  let helm: Backend;
  let instance: InstanceView;
  beforeAll(async () => {
    helm = await backend();
    instance = await provisionRabbitmq(helm, 'rmq-1');
  });

  const amqpLogin = (creds: Record<string, string>) =>
    amqp.connect({
      hostname: '127.0.0.1',
      port: rabbitmq.amqpPort,
      username: creds.username!,
      password: creds.password!,
      vhost: creds['virtual-host']!,
    });

  /** Declares a queue, publishes to it and consumes the message back: what an application does. */
  async function roundTrip(connection: amqp.ChannelModel, queue: string): Promise<string> {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { autoDelete: true });
    channel.sendToQueue(queue, Buffer.from(`hello ${queue}`));
    const body = await new Promise<string>((resolve) => {
      void channel.consume(queue, (message) => resolve(message?.content.toString() ?? ''), { noAck: true });
    });
    await channel.close();
    return body;
  }

  it('logs in over AMQP on its vhost and works a queue, is no administrator; unbind deletes it and closes its connection', async () => {
    const fullname = `${instance.data.release}-rabbitmq`;
    const bindingId = `rmq-binding-${process.pid}`;
    const username = derivedName('u', bindingId, 15);
    const { credentials: creds, data } = await bindOnce(helm, instance, bindingId);
    expect(credentialViolations(creds)).toEqual([]);
    expect(creds).toEqual({
      type: 'rabbitmq',
      provider: 'helm-bitnami',
      host: svcHost(fullname),
      port: '5672',
      username,
      password: creds.password,
      'virtual-host': '/',
      uri: `amqp://${username}:${creds.password}@${svcHost(fullname)}:5672/%2F`,
    });
    expect(creds.password).not.toBe(decodeSecret(world.kube, NS, fullname, 'rabbitmq-password'));

    const connection = await amqpLogin(creds);
    connection.on('error', () => undefined);
    expect(await roundTrip(connection, 'orders')).toBe('hello orders');
    expect(await (await management(`users/${username}`)).json()).toMatchObject({ name: username, tags: [] });
    expect((await management('whoami', { username, password: creds.password! })).status).toBe(401);

    const closed = once(connection, 'close');
    await unbindOnce(helm, instance, bindingId, data);
    const [reason] = await closed;
    expect(String(reason)).toMatch(/CONNECTION_FORCED/);
    await expect(amqpLogin(creds)).rejects.toThrow(/ACCESS_REFUSED/);
    expect((await management(`users/${username}`)).status).toBe(404);
    // A repeated unbind finds nothing left to delete.
    await unbindOnce(helm, instance, bindingId, data);
  });

  it('two bindings get two users', async () => {
    const first = await bindOnce(helm, instance, 'rmq-b1');
    const second = await bindOnce(helm, instance, 'rmq-b2');
    expect(first.credentials.username).not.toBe(second.credentials.username);
    const users = ((await (await management('users')).json()) as Array<{ name: string }>).map((u) => u.name);
    expect(users).toEqual(expect.arrayContaining([first.credentials.username, second.credentials.username]));
    await unbindOnce(helm, instance, 'rmq-b1', first.data);
    await unbindOnce(helm, instance, 'rmq-b2', second.data);
  });

  it('the vhost set as default_vhost in extraConfiguration', async () => {
    // The chart's node creates its default_vhost at first boot; the private node gets it made here.
    expect([201, 204]).toContain((await management('vhosts/apps', RABBITMQ_ADMIN, 'PUT')).status);
    const withVhost = await provisionRabbitmq(helm, 'rmq-vhost', {
      extraConfiguration: '#default_vhost = {{ .Release.Namespace }}-vhost\ndefault_vhost = apps\n',
    });
    const { credentials: creds, data } = await bindOnce(helm, withVhost, 'rmq-vhost-b');
    expect(creds['virtual-host']).toBe('apps');
    expect(creds.uri).toMatch(/:5672\/apps$/);
    const connection = await amqpLogin(creds);
    expect(await roundTrip(connection, 'in-apps')).toBe('hello in-apps');
    await connection.close();
    await unbindOnce(helm, withVhost, 'rmq-vhost-b', data);
  });

  it('a default_vhost the node lacks (here an unrendered template) fails the bind and leaves no user', async () => {
    const templated = await provisionRabbitmq(helm, 'rmq-templated', {
      extraConfiguration: 'default_vhost = {{ .Release.Namespace }}-vhost\n',
    });
    await expect(bindOnce(helm, templated, 'rmq-templated-b')).rejects.toMatchObject({
      code: 'Internal',
      message: expect.stringMatching(
        /permissions\/%7B%7B%20.Release.Namespace%20%7D%7D-vhost\/.*vhost_or_user_not_found/,
      ),
    });
    expect((await management(`users/${derivedName('u', 'rmq-templated-b', 15)}`)).status).toBe(404);
  });

  it('a management API that never answers: the bind ends with the call deadline, not with an override hint', async () => {
    const silent = await silentServer();
    try {
      const hung = await backend({ 'rabbitmq/http-stats': `127.0.0.1:${silent.port}` });
      const deadline = new AbortController();
      const bound = hung.bind(
        { instance, bindingId: 'rmq-hung-b', parameters: {}, context: {}, acceptsIncomplete: false },
        ctx(deadline.signal),
      );
      bound.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      deadline.abort(new Error('deadline exceeded'));
      await expect(bound).rejects.toThrow(/deadline exceeded/);
      await expect(bound).rejects.not.toThrow(/connectAddressOverrides/);
      // Every connection is closed again. Node's fetch opens a spare one after the abort (it sends nothing on it
      // and closes it after its 4 s keep-alive), so there may be two.
      const { counts } = silent;
      await waitFor(async () => counts.closed >= counts.opened, 5000, 'every connection to close');
      expect(counts.opened).toBeGreaterThanOrEqual(1);
      expect(counts.closed).toBe(counts.opened);
    } finally {
      silent.close();
    }
  });

  it('an unreachable management API is Unavailable, naming the override to set', async () => {
    const down = await backend({ 'rabbitmq/http-stats': `127.0.0.1:${await freePort()}` });
    await expect(bindOnce(down, instance, 'rmq-down-b')).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/ECONNREFUSED.*connectAddressOverrides\["rabbitmq\/http-stats"\]/),
    });
  });
});
