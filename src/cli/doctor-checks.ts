import type { BreakerConfig, OmnibrokerConfig } from '../config/schema.ts';
import type { CatalogService } from '../broker/catalog/catalog-service.ts';
import type { GuardedBackend } from '../registry/guarded-backend.ts';
import { isSealed, KeyRing } from '../state/key-ring.ts';
import type { StateStore } from '../state/store.ts';
import type { Finding } from './doctor-finding.ts';
import { fixFor } from './doctor-hints.ts';

// Cloud Foundry's and Service Catalog's broker clients give up after 60 s.
const PLATFORM_TIMEOUT_MS = 60_000;

const storeWhere = (config: OmnibrokerConfig): string =>
  config.state.type === 'redis'
    ? 'state.url (or state.password)'
    : config.state.type === 'dynamodb'
      ? 'state'
      : 'state';

function unreachableStoreFix(config: OmnibrokerConfig): string {
  if (config.state.type === 'redis') {
    return 'start Redis at the address in state.url, or correct state.url; test from this host with `redis-cli -u <state.url> ping`';
  }
  return 'check state.region and state.endpoint, and that this host can reach DynamoDB (`aws dynamodb describe-table`)';
}

export function describeStore(config: OmnibrokerConfig): string {
  const state = config.state;
  if (state.type === 'redis') return `redis at ${state.url.replace(/\/\/[^@/]*@/, '//***@')}`;
  if (state.type === 'dynamodb')
    return `dynamodb table ${state.table} in ${state.region}${state.endpoint ? ` (${state.endpoint})` : ''}`;
  return 'memory';
}

export async function checkStore(store: StateStore, config: OmnibrokerConfig): Promise<Finding> {
  const subject = `store (${describeStore(config)})`;
  try {
    await store.ping();
  } catch (error) {
    const message = (error as Error).message;
    return {
      level: 'fail',
      subject,
      detail: `not reachable: ${message}`,
      fix: fixFor(message, storeWhere(config)) ?? unreachableStoreFix(config),
    };
  }
  if (config.state.type === 'memory') {
    return {
      level: 'warn',
      subject,
      detail: 'in-process state is lost on restart and cannot be shared by replicas',
      fix: 'use state.type redis or dynamodb for anything but a trial',
    };
  }
  return { level: 'ok', subject, detail: 'answers' };
}

/** Records still sealed with a key that is not the first one (rotation pending) or not configured at all. */
export async function checkKeys(store: StateStore, config: OmnibrokerConfig): Promise<Finding> {
  const keyRing = new KeyRing(config.encryption.keys);
  const known = new Set(config.encryption.keys.map((k) => k.id));
  const byKey = new Map<string, number>();
  const count = (value: unknown): void => {
    if (isSealed(value)) byKey.set(value.kid, (byKey.get(value.kid) ?? 0) + 1);
    else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) count(v);
  };
  for (const kind of ['instance', 'binding'] as const) for (const r of await store.list(kind)) count(r.value);
  const missing = [...byKey.keys()].filter((kid) => !known.has(kid));
  const subject = 'encryption keys';
  if (missing.length > 0) {
    return {
      level: 'fail',
      subject,
      detail: `stored secrets are encrypted with key(s) ${missing.join(', ')}, which encryption.keys does not have: they cannot be read`,
      fix: 'add those keys back to encryption.keys (after the first one), then run `omnibroker rotate-keys`',
    };
  }
  const old = [...byKey.entries()].filter(([kid]) => kid !== keyRing.primaryId);
  if (old.length > 0) {
    return {
      level: 'warn',
      subject,
      detail: `${old.map(([kid, n]) => `${n} value(s) on key ${kid}`).join(', ')}; new secrets use ${keyRing.primaryId}`,
      fix: 'run `omnibroker rotate-keys` before removing old keys from encryption.keys',
    };
  }
  return { level: 'ok', subject, detail: `every stored secret uses key ${keyRing.primaryId}` };
}

export async function checkBackendHealth(backend: GuardedBackend, index: number): Promise<Finding | undefined> {
  const health = backend.backend.health?.bind(backend.backend);
  if (health === undefined) return undefined;
  const subject = `backend ${backend.name} (${backend.kind})`;
  const where = `backends[${index}].options`;
  try {
    const status = await backend.call('health', {}, (ctx) => health(ctx));
    if (status.ok) return { level: 'ok', subject, detail: status.detail ?? 'healthy' };
    const detail = status.detail ?? 'unhealthy';
    return { level: 'fail', subject, detail, ...withFix(fixFor(detail, where)) };
  } catch (error) {
    const message = (error as Error).message;
    return { level: 'fail', subject, detail: message, ...withFix(fixFor(message, where)) };
  }
}

/** What the merged catalog took from each backend, and what it had to change so Cloud Foundry accepts it. */
export function checkCatalog(catalog: CatalogService, backends: GuardedBackend[]): Finding[] {
  const findings = backends.map((backend, index): Finding => {
    const subject = `backend ${backend.name} catalog`;
    const status = catalog.status(backend.name);
    const where = `backends[${index}].options`;
    if (status.source === 'live') {
      return status.services === 0
        ? { level: 'warn', subject, detail: 'offers no services', fix: `check ${where}` }
        : { level: 'ok', subject, detail: `${status.services} service(s)` };
    }
    const error = status.error ?? 'no answer';
    const shown = status.source === 'last-known' ? `; serving its last-known ${status.services} service(s)` : '';
    return { level: 'fail', subject, detail: `${error}${shown}`, ...withFix(fixFor(error, where)) };
  });
  for (const a of catalog.adjustments) {
    findings.push({
      level: 'warn',
      subject: `catalog ${a.serviceId}${a.planId === undefined ? '' : ` plan ${a.planId}`}`,
      detail: `${a.action}: ${a.reason}`,
      fix: `fix it in the catalog of backend "${a.backend}" (or its options), so that nothing needs rewriting`,
    });
  }
  return findings;
}

export function checkBreaker(breaker: BreakerConfig, name: string, index: number): Finding[] {
  const subject = `backend ${name} breaker`;
  const where = `backends[${index}].breaker`;
  const findings: Finding[] = [];
  if (breaker.timeoutMs >= PLATFORM_TIMEOUT_MS) {
    findings.push({
      level: 'warn',
      subject,
      detail: `timeoutMs ${breaker.timeoutMs} is not below the platforms' 60 s request timeout: they give up before the breaker does`,
      fix: `set ${where}.timeoutMs below 60000 (long work belongs in async operations)`,
    });
  }
  if (breaker.volumeThreshold === 0) {
    findings.push({
      level: 'warn',
      subject,
      detail: 'volumeThreshold 0: a single failed call can open the breaker',
      fix: `set ${where}.volumeThreshold to 5 or more`,
    });
  }
  if (breaker.resetTimeoutMs > 5 * 60_000) {
    findings.push({
      level: 'warn',
      subject,
      detail: `resetTimeoutMs ${breaker.resetTimeoutMs}: the backend stays cut off for over 5 minutes after each outage`,
      fix: `lower ${where}.resetTimeoutMs (default 30000)`,
    });
  }
  return findings;
}

const withFix = (fix: string | undefined): { fix?: string } => (fix === undefined ? {} : { fix });
