/**
 * What a file-based binding consumer (CF file bindings, Korifi, servicebinding.io: Spring Cloud Bindings,
 * Quarkus, Steeltoe, kube-service-bindings) needs of `credentials`, per OSB-RULES 23-24, written from the
 * rules and not from the broker's helpers. Empty = an app reads it without mapping.
 */
const KEY = /^[a-z0-9][a-z0-9\-.]*$/;
const RESERVED = [
  'name',
  'label',
  'plan',
  'tags',
  'instance_guid',
  'instance_name',
  'binding_guid',
  'binding_name',
  'syslog_drain_url',
  'volume_mounts',
];

export const ENGINE_KEYS = {
  mysql: ['host', 'port', 'database', 'username', 'password', 'uri', 'jdbc-url'],
  postgresql: ['host', 'port', 'database', 'username', 'password', 'uri', 'jdbc-url'],
  redis: ['host', 'port', 'password', 'ssl', 'url'],
  mongodb: ['uri', 'host', 'port', 'database', 'username', 'password'],
  rabbitmq: ['host', 'port', 'username', 'password', 'virtual-host', 'uri'],
} as const;

export type Engine = keyof typeof ENGINE_KEYS;

export function fileBindingProblems(credentials: unknown, engine?: Engine): string[] {
  if (credentials === null || typeof credentials !== 'object' || Array.isArray(credentials)) {
    return ['credentials is not an object'];
  }
  const entries = Object.entries(credentials as Record<string, unknown>);
  const problems = entries.flatMap(([key, value]) => [
    ...(KEY.test(key) ? [] : [`${key}: not a lowercase kebab-case file name`]),
    ...(RESERVED.includes(key) ? [`${key}: Cloud Foundry overwrites it`] : []),
    ...(typeof value === 'string' ? [] : [`${key}: ${typeof value}, not a string`]),
  ]);
  const values = credentials as Record<string, unknown>;
  for (const key of ['type', 'provider', ...(engine === undefined ? [] : ENGINE_KEYS[engine])]) {
    if (typeof values[key] !== 'string' || values[key] === '') problems.push(`${key}: missing`);
  }
  if (engine !== undefined && values.type !== engine) problems.push(`type: ${String(values.type)}, not ${engine}`);
  return problems;
}
