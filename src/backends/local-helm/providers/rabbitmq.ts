import {
  derivedName,
  errors,
  type JsonObject,
  rabbitmqCredentials,
  randomPassword,
} from '../../../plugin-api/index.ts';
import {
  type ChartProvider,
  PROVIDER_NAME,
  type ReleaseEndpoint,
  requireSecretKey,
  valueAt,
} from './chart-provider.ts';

const MANAGEMENT_PORT_NAME = 'http-stats';

/** Every resource of the vhost, as the chart user has; no user tags, so no management or admin rights. */
const BINDING_PERMISSIONS = { configure: '.*', write: '.*', read: '.*' };

const DEFAULT_VHOST_LINE = /^[ \t]*default_vhost[ \t]*=[ \t]*(.*?)[ \t]*$/m;

/**
 * Bitnami sets another vhost as `default_vhost = …` in `extraConfiguration` (appended last, so it wins). A templated
 * one is taken as written: no such vhost, so the bind fails naming it.
 */
function virtualHostOf(endpoint: ReleaseEndpoint): string {
  for (const key of ['extraConfiguration', 'configuration']) {
    const vhost = DEFAULT_VHOST_LINE.exec(valueAt(endpoint.values, key) ?? '')?.[1];
    if (vhost !== undefined && vhost !== '') return vhost;
  }
  return '/';
}

/** One call to the management HTTP API as the chart user; `accepted` are the statuses that count as done. */
async function managementCall(
  endpoint: ReleaseEndpoint,
  signal: AbortSignal,
  method: 'PUT' | 'DELETE',
  path: string[],
  accepted: number[],
  body?: JsonObject,
): Promise<void> {
  const address = endpoint.managementAddress;
  if (address === undefined) {
    throw errors.internal(
      `Service ${endpoint.serviceName} of release ${endpoint.release} has no "${MANAGEMENT_PORT_NAME}" port (service.managerPortEnabled: false?)`,
    );
  }
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const url = `http://${host}:${address.port}/api/${path.map(encodeURIComponent).join('/')}`;
  const user = valueAt(endpoint.values, 'auth.username') ?? 'user';
  const secret = `${user}:${requireSecretKey(endpoint, 'rabbitmq-password')}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(secret).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
    });
  } catch (cause) {
    // The call's deadline, not the address: no override would help.
    if (signal.aborted) throw signal.reason;
    // fetch says only "fetch failed"; the socket error (ECONNREFUSED …) is its cause.
    const reason = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : String(cause);
    throw errors.unavailable(
      `RabbitMQ management API at ${url} unreachable (${reason}); outside the cluster, set connectAddressOverrides["${endpoint.chart}/${MANAGEMENT_PORT_NAME}"]`,
      { cause },
    );
  }
  if (accepted.includes(response.status)) return;
  const detail = (await response.text()).slice(0, 300);
  throw new Error(`RabbitMQ management API ${method} ${url}: HTTP ${response.status} ${detail}`);
}

/** Bitnami's rabbitmq chart: a user per binding with all permissions on the vhost, made through the management API. */
export const rabbitmqProvider: ChartProvider = {
  tags: ['rabbitmq'],
  portNames: ['amqp'],
  defaultPort: 5672,
  managementPortName: MANAGEMENT_PORT_NAME,
  secretKey: 'rabbitmq-password',
  async bind(endpoint, bindingId, signal) {
    const username = derivedName('u', bindingId, 15);
    const password = randomPassword();
    const virtualHost = virtualHostOf(endpoint);
    // A repeated bind (after a crash) overwrites the password (204) instead of failing.
    await managementCall(endpoint, signal, 'PUT', ['users', username], [201, 204], { password, tags: '' });
    try {
      await managementCall(
        endpoint,
        signal,
        'PUT',
        ['permissions', virtualHost, username],
        [201, 204],
        BINDING_PERMISSIONS,
      );
    } catch (err) {
      // A failed bind stores no data, so no unbind would find this user later. Its own deadline: the call's may be
      // what failed the bind.
      await managementCall(endpoint, AbortSignal.timeout(5_000), 'DELETE', ['users', username], [204, 404]).catch(
        () => undefined,
      );
      throw err;
    }
    return {
      credentials: rabbitmqCredentials({
        provider: PROVIDER_NAME,
        host: endpoint.host,
        port: endpoint.port,
        username,
        password,
        virtualHost,
      }),
      data: { username },
    };
  },
  async unbind(endpoint, data: JsonObject, signal) {
    const username = data.username;
    if (typeof username !== 'string') return;
    // RabbitMQ closes the deleted user's connections itself (CONNECTION_FORCED); 404: deleted before.
    await managementCall(endpoint, signal, 'DELETE', ['users', username], [204, 404]);
  },
};
