import { errors, type JsonObject } from '../../plugin-api/index.ts';
import {
  BACKUP_RETENTION_DAYS,
  DEFAULT_SERVER_VERSION,
  HIGH_AVAILABILITY_MODES,
  MAX_FIREWALL_RULES,
  SERVER_VERSIONS,
  STORAGE_GB,
  TIERS,
  type TierName,
} from './catalog.ts';

export interface FirewallRuleSpec {
  name: string;
  startIpAddress: string;
  endIpAddress: string;
}

export interface ServerSpec {
  tier: TierName;
  sku: string;
  version: string;
  storageGb: number;
  backupRetentionDays: number;
  highAvailability: string;
  firewallRules: FirewallRuleSpec[];
}

/** The parts of a server an update may change; absent means unchanged. */
export type ServerChange = Partial<Pick<ServerSpec, 'sku' | 'storageGb' | 'backupRetentionDays' | 'highAvailability'>>;

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d{2}|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d{2}|[1-9]?\d)$/;

function integerIn(params: JsonObject, key: string, range: { minimum: number; maximum: number }): number | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.minimum || value > range.maximum) {
    throw errors.invalidParameters(`${key} must be an integer from ${range.minimum} to ${range.maximum}`);
  }
  return value;
}

function oneOf(params: JsonObject, key: string, allowed: readonly string[]): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw errors.invalidParameters(`${key} must be one of ${allowed.join(', ')}`);
  }
  return value;
}

function highAvailabilityFor(tier: TierName, params: JsonObject): string | undefined {
  const mode = oneOf(params, 'high_availability', HIGH_AVAILABILITY_MODES);
  if (mode !== undefined && mode !== 'Disabled' && !TIERS[tier].highAvailability) {
    throw errors.invalidParameters(`high_availability ${mode} is not offered in the ${TIERS[tier].title} tier`);
  }
  return mode;
}

function firewallRules(params: JsonObject): FirewallRuleSpec[] {
  const value = params.firewall_rules;
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_FIREWALL_RULES) {
    throw errors.invalidParameters(`firewall_rules must be a list of at most ${MAX_FIREWALL_RULES} rules`);
  }
  return value.map((rule, i) => {
    const { name, start_ip_address: start, end_ip_address: end } = (rule ?? {}) as JsonObject;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      throw errors.invalidParameters(`firewall_rules[${i}].name must be 1-80 letters, digits, _ or -`);
    }
    if (typeof start !== 'string' || !IPV4.test(start) || typeof end !== 'string' || !IPV4.test(end)) {
      throw errors.invalidParameters(`firewall_rules[${i}]: start_ip_address and end_ip_address must be IPv4`);
    }
    return { name, startIpAddress: start, endIpAddress: end };
  });
}

export function serverSpecFrom(tier: TierName, params: JsonObject): ServerSpec {
  return {
    tier,
    sku: oneOf(params, 'sku', TIERS[tier].skus) ?? TIERS[tier].skus[0],
    version: oneOf(params, 'version', SERVER_VERSIONS) ?? DEFAULT_SERVER_VERSION,
    storageGb: integerIn(params, 'storage_gb', STORAGE_GB) ?? STORAGE_GB.default,
    backupRetentionDays:
      integerIn(params, 'backup_retention_days', BACKUP_RETENTION_DAYS) ?? BACKUP_RETENTION_DAYS.default,
    highAvailability: highAvailabilityFor(tier, params) ?? 'Disabled',
    firewallRules: firewallRules(params),
  };
}

/**
 * What an update asks for. A plan change moves the server to the new tier's default size unless `sku`
 * names one; storage can only grow (Azure refuses to shrink it).
 */
export function serverChangeFrom(
  tier: TierName,
  tierChanged: boolean,
  params: JsonObject,
  current: { storageGb?: number; highAvailability?: string },
): ServerChange {
  const change: ServerChange = {};
  const sku = oneOf(params, 'sku', TIERS[tier].skus) ?? (tierChanged ? TIERS[tier].skus[0] : undefined);
  if (sku !== undefined) change.sku = sku;
  const storageGb = integerIn(params, 'storage_gb', STORAGE_GB);
  if (storageGb !== undefined) {
    if (current.storageGb !== undefined && storageGb < current.storageGb) {
      throw errors.invalidParameters(`storage_gb cannot shrink (from ${current.storageGb} to ${storageGb} GiB)`);
    }
    change.storageGb = storageGb;
  }
  const retention = integerIn(params, 'backup_retention_days', BACKUP_RETENTION_DAYS);
  if (retention !== undefined) change.backupRetentionDays = retention;
  const ha = highAvailabilityFor(tier, params);
  if (ha !== undefined) change.highAvailability = ha;
  else if (tierChanged && !TIERS[tier].highAvailability && (current.highAvailability ?? 'Disabled') !== 'Disabled') {
    throw errors.invalidParameters(
      `the ${TIERS[tier].title} tier has no high availability: set high_availability Disabled first`,
    );
  }
  return change;
}

export function requiredString(params: JsonObject, key: string, pattern: RegExp): string {
  const value = params[key];
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw errors.invalidParameters(`${key} is required and must match ${pattern.source}`);
  }
  return value;
}
