import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { ParsedRecordCache } from './frozen-records.ts';
import { RedisStallWatchdog } from './redis-stall-watchdog.ts';
import { STORE_DEFAULTS, type RedisStoreConfig, type StoreLog } from './store-config.ts';
import {
  type DeleteOptions,
  type ListOptions,
  type PutOptions,
  type RecordKind,
  StoreConflictError,
  type StateStore,
  type StoredRecord,
  StoreUnavailableError,
} from './store.ts';

/**
 * Layout under the key prefix (`keyPrefix`, default `omnibroker:`): `rec:<kind>:<id>` is a hash
 * {version, value (JSON text)} with PEXPIRE for ttlMs;
 * `idx:<kind>` is the set of ids of that kind (members of expired records are removed lazily by list);
 * `lease:<name>` holds the owner token with PX.
 */
const PUT_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version'))
if ARGV[1] == '1' and current then return -1 end
if ARGV[2] ~= '' and current ~= tonumber(ARGV[2]) then return -1 end
local version = (current or 0) + 1
redis.call('HSET', KEYS[1], 'version', version, 'value', ARGV[3])
if ARGV[4] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) else redis.call('PERSIST', KEYS[1]) end
redis.call('SADD', KEYS[2], ARGV[5])
return version`;

const DELETE_SCRIPT = `
if ARGV[1] ~= '' and tonumber(redis.call('HGET', KEYS[1], 'version')) ~= tonumber(ARGV[1]) then return -1 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1`;

/** Drops an id from the index only when its record is really gone (a concurrent put may have revived it). */
const UNINDEX_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return 1`;

const ACQUIRE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

interface StoreScripts {
  storePut(
    recordKey: string,
    indexKey: string,
    ifAbsent: string,
    ifVersion: string,
    json: string,
    ttlMs: string,
    id: string,
  ): Promise<number>;
  storeDelete(recordKey: string, indexKey: string, ifVersion: string, id: string): Promise<number>;
  storeUnindex(recordKey: string, indexKey: string, id: string): Promise<number>;
  leaseAcquire(leaseKey: string, owner: string, ttlMs: string): Promise<number>;
  leaseRelease(leaseKey: string, owner: string): Promise<number>;
}

type ScriptedRedis = Redis & StoreScripts;

/** Full key names. The prefix is added here, not by ioredis' `keyPrefix`, which rewrote every command's arguments. */
class RedisKeys {
  constructor(private readonly prefix: string) {}
  record(kind: RecordKind, id: string): string {
    return `${this.prefix}rec:${kind}:${id}`;
  }
  index(kind: RecordKind): string {
    return `${this.prefix}idx:${kind}`;
  }
  lease(name: string): string {
    return `${this.prefix}lease:${name}`;
  }
}

/** Index entries Redis looks at per SSCAN call: small sets come back whole in one call. */
const SCAN_COUNT = 1000;

/** Reconnect forever, quickly at first, at most a second apart: the store heals without a restart. */
const reconnectDelay = (attempt: number) => Math.min(attempt * 100, 1000);

/**
 * ioredis options that make an outage fail fast (no offline queue; a hung server is caught by the store's
 * stall watchdog) and heal by reconnecting.
 */
export function redisOptions(config: RedisStoreConfig): RedisOptions {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    connectTimeout: config.connectTimeoutMs ?? STORE_DEFAULTS.redisConnectTimeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
  };
  if (config.username !== undefined) options.username = config.username;
  if (config.password !== undefined) options.password = config.password;
  if (config.tls === true) options.tls = {};
  else if (typeof config.tls === 'object') {
    const tls: NonNullable<RedisOptions['tls']> = {};
    if (config.tls.caFile !== undefined) tls.ca = readFileSync(config.tls.caFile);
    if (config.tls.servername !== undefined) tls.servername = config.tls.servername;
    if (config.tls.rejectUnauthorized !== undefined) tls.rejectUnauthorized = config.tls.rejectUnauthorized;
    options.tls = tls;
  }
  if (config.sentinels !== undefined) {
    options.sentinels = config.sentinels;
    options.name = config.sentinelName ?? 'mymaster';
    if (config.sentinelPassword !== undefined) options.sentinelPassword = config.sentinelPassword;
    options.sentinelRetryStrategy = reconnectDelay;
    if (options.tls !== undefined || config.url.startsWith('rediss://')) options.enableTLSForSentinelMode = true;
  }
  return options;
}

/** The URL without the credentials that `username`/`password` replace (ioredis lets URL values win). */
export function redisUrl(config: RedisStoreConfig): string {
  if (config.username === undefined && config.password === undefined) return config.url;
  const url = new URL(config.url);
  url.username = '';
  url.password = '';
  return url.toString();
}

function configValue(reply: unknown): string | undefined {
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
}

export class RedisStore implements StateStore {
  private readonly redis: ScriptedRedis;
  /** A down Redis fails every reconnect attempt: log the first of each outage only. */
  private outageLogged = false;
  private lastError: string | undefined;
  private closed = false;
  private corked = false;
  private readonly parsed = new ParsedRecordCache();
  private readonly keys: RedisKeys;
  private readonly watchdog: RedisStallWatchdog;

  constructor(
    config: RedisStoreConfig,
    private readonly log: StoreLog,
  ) {
    this.redis = new Redis(redisUrl(config), redisOptions(config)) as ScriptedRedis;
    this.keys = new RedisKeys(config.keyPrefix ?? STORE_DEFAULTS.redisKeyPrefix);
    this.watchdog = new RedisStallWatchdog(this.redis, config.commandTimeoutMs ?? STORE_DEFAULTS.redisCommandTimeoutMs);
    this.redis.defineCommand('storePut', { numberOfKeys: 2, lua: PUT_SCRIPT });
    this.redis.defineCommand('storeDelete', { numberOfKeys: 2, lua: DELETE_SCRIPT });
    this.redis.defineCommand('storeUnindex', { numberOfKeys: 2, lua: UNINDEX_SCRIPT });
    this.redis.defineCommand('leaseAcquire', { numberOfKeys: 1, lua: ACQUIRE_SCRIPT });
    this.redis.defineCommand('leaseRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    this.redis.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    this.redis.on('close', () => {
      if (this.outageLogged || this.closed) return;
      this.outageLogged = true;
      this.log.error({ err: this.lastError }, 'redis state store unavailable; reconnecting');
    });
    this.redis.on('ready', () => {
      this.outageLogged = false;
      this.lastError = undefined;
      this.log.info({}, 'redis state store connected');
      void this.warnWithoutPersistence();
    });
  }

  /** Resolves true once connected, false after `waitMs` (reconnection then goes on in the background). */
  waitUntilReady(waitMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        resolve(false);
      }, waitMs);
      this.redis.once('ready', onReady);
    });
  }

  private async warnWithoutPersistence(): Promise<void> {
    try {
      const appendonly = configValue(await this.redis.config('GET', 'appendonly'));
      const save = configValue(await this.redis.config('GET', 'save'));
      if (appendonly === 'no' && save === '')
        this.log.warn(
          {},
          'redis has no persistence (appendonly no, save ""): a Redis restart loses every instance, binding and operation',
        );
    } catch (err) {
      // CONFIG is often renamed, disabled or denied by ACL on managed Redis.
      this.log.info({ err: (err as Error).message }, 'could not check redis persistence settings (CONFIG GET failed)');
    }
  }

  /**
   * Commands one request issues together (a lease and the read under it) leave in one write: a syscall costs more
   * here than the JavaScript of a command. The flush is on nextTick, not setImmediate: holding commands until the
   * end of the poll phase batched more but left the broker idle while Redis had nothing to do (bench (b)).
   */
  private writeTogether(): void {
    const stream = this.redis.stream;
    if (this.corked || stream === undefined || !stream.writable) return;
    this.corked = true;
    stream.cork();
    process.nextTick(() => {
      this.corked = false;
      stream.uncork();
    });
  }

  private async call<R>(what: string, command: () => Promise<R>): Promise<R> {
    if (this.closed) throw new StoreUnavailableError('redis state store is closed');
    this.writeTogether();
    try {
      return await command();
    } catch (err) {
      if (err instanceof StoreConflictError || err instanceof StoreUnavailableError) throw err;
      throw new StoreUnavailableError(`redis ${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** `key` is the record's full key, `kind` and `id` name it in the error. */
  private parse<T>(
    kind: RecordKind,
    id: string,
    key: string,
    version: string | null,
    json: string | null,
  ): StoredRecord<T> {
    if (version === null || json === null)
      throw new StoreUnavailableError(`redis record ${kind} ${id} is incomplete (no version or value)`);
    return { value: this.parsed.parse<T>(key, json), version: Number(version) };
  }

  get<T>(kind: RecordKind, id: string): Promise<StoredRecord<T> | undefined> {
    return this.call('get', async () => {
      const key = this.keys.record(kind, id);
      const [version, json] = await this.redis.hmget(key, 'version', 'value');
      if (version === null && json === null) return undefined;
      return this.parse<T>(kind, id, key, version ?? null, json ?? null);
    });
  }

  put<T>(kind: RecordKind, id: string, value: T, options: PutOptions = {}): Promise<number> {
    return this.call('put', async () => {
      const version = await this.redis.storePut(
        this.keys.record(kind, id),
        this.keys.index(kind),
        options.ifAbsent ? '1' : '0',
        options.ifVersion === undefined ? '' : String(options.ifVersion),
        JSON.stringify(value),
        options.ttlMs === undefined ? '' : String(Math.max(1, Math.ceil(options.ttlMs))),
        id,
      );
      if (version < 0) throw new StoreConflictError(kind, id);
      return version;
    });
  }

  delete(kind: RecordKind, id: string, options: DeleteOptions = {}): Promise<void> {
    return this.call('delete', async () => {
      const ifVersion = options.ifVersion === undefined ? '' : String(options.ifVersion);
      const key = this.keys.record(kind, id);
      this.parsed.forget(key);
      const done = await this.redis.storeDelete(key, this.keys.index(kind), ifVersion, id);
      if (done < 0) throw new StoreConflictError(kind, id);
    });
  }

  /**
   * With a prefix (one instance's bindings), Redis filters the index (SSCAN MATCH), so only matching ids cross the
   * network, not every binding's. The scan still walks the whole index inside Redis, SCAN_COUNT entries a call.
   */
  private async idsStartingWith(kind: RecordKind, prefix: string): Promise<string[]> {
    const index = this.keys.index(kind);
    if (prefix === '') return this.redis.smembers(index);
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    // SSCAN may return an id twice.
    const ids = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.sscan(index, cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      for (const id of batch) ids.add(id);
      cursor = next;
    } while (cursor !== '0');
    return [...ids];
  }

  list<T>(kind: RecordKind, options: ListOptions = {}): Promise<Array<{ id: string } & StoredRecord<T>>> {
    return this.call('list', async () => {
      const prefix = options.idPrefix ?? '';
      const ids = (await this.idsStartingWith(kind, prefix)).filter((id) => id.startsWith(prefix));
      if (ids.length === 0) return [];
      const records = ids.map((id) => ({ id, key: this.keys.record(kind, id) }));
      // Corked, the reads leave in one write: a pipeline without ioredis' Pipeline, whose commands share the
      // client's command methods and would make their call sites polymorphic on the polling path.
      this.writeTogether();
      const replies = await Promise.all(records.map(({ key }) => this.redis.hmget(key, 'version', 'value')));
      const out: Array<{ id: string } & StoredRecord<T>> = [];
      const gone: typeof records = [];
      for (const [i, record] of records.entries()) {
        const [version, json] = replies[i] ?? [];
        if (version == null && json == null) gone.push(record);
        else out.push({ id: record.id, ...this.parse<T>(kind, record.id, record.key, version ?? null, json ?? null) });
      }
      if (gone.length > 0) {
        const index = this.keys.index(kind);
        this.writeTogether();
        await Promise.all(gone.map(({ id, key }) => this.redis.storeUnindex(key, index, id)));
      }
      return out;
    });
  }

  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.call('acquireLease', async () => {
      const ttl = String(Math.max(1, Math.ceil(ttlMs)));
      return (await this.redis.leaseAcquire(this.keys.lease(name), owner, ttl)) === 1;
    });
  }

  releaseLease(name: string, owner: string): Promise<void> {
    return this.call('releaseLease', async () => {
      await this.redis.leaseRelease(this.keys.lease(name), owner);
    });
  }

  ping(): Promise<void> {
    return this.call('ping', async () => {
      await this.redis.ping();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.stop();
    try {
      await this.redis.quit();
    } catch {
      // Redis is down: nothing to flush, just drop the socket.
      this.redis.disconnect();
    }
  }
}
