/**
 * An upstream catalog with one of each thing Cloud Controller rejects (OSB-RULES 21), next to entries that are
 * fine, so a test can tell "rewritten", "dropped" and "untouched" apart. Served as-is by the upstream fake.
 */
const DRAFT04 = 'http://json-schema.org/draft-04/schema#';

const plan = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  description: `plan ${id}`,
  free: true,
  ...extra,
});

const withCreateSchema = (parameters: unknown) => ({ schemas: { service_instance: { create: { parameters } } } });

/** ~70 KiB of draft-04 properties. */
const hugeSchema = {
  $schema: DRAFT04,
  type: 'object',
  properties: Object.fromEntries(
    Array.from({ length: 915 }, (_, i) => [`option-${i}`, { type: 'string', description: 'x'.repeat(30) }]),
  ),
};

/** A schema CC takes as it is: published unchanged. */
export const CLEAN_SCHEMA = { $schema: DRAFT04, type: 'object', properties: { size: { type: 'integer' } } };

/** 100 tags of 29 characters: 3,000 characters joined. */
const longTags = Array.from({ length: 100 }, (_, i) => `tag-${String(i).padStart(3, '0')}-${'t'.repeat(21)}`);

export const DIRTY_CATALOG = {
  services: [
    {
      id: 'schemas',
      name: 'schemas',
      description: 'Plans whose parameters schemas CC cannot take as they are',
      bindable: true,
      tags: ['postgresql'],
      plans: [
        plan('draft07-simple', {
          ...withCreateSchema({
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: { size: { type: 'integer', minimum: 1 } },
          }),
        }),
        plan('draft2020', {
          ...withCreateSchema({
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            properties: { ports: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'string' }] } },
            dependentRequired: { ports: ['size'] },
            required: ['size'],
          }),
        }),
        plan('remote-ref', {
          ...withCreateSchema({ $schema: DRAFT04, $ref: 'https://schemas.example.com/parameters.json' }),
        }),
        plan('huge-schema', withCreateSchema(hugeSchema)),
        plan('draft07-empty-required', {
          ...withCreateSchema({
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: {},
            required: [],
          }),
        }),
        plan('invalid-schema', {
          ...withCreateSchema({ $schema: DRAFT04, type: 'object', properties: { size: { type: 'integr' } } }),
        }),
        plan('https-draft04', {
          ...withCreateSchema({ $schema: 'https://json-schema.org/draft-04/schema', type: 'object' }),
        }),
        plan('draft07-exclusive', {
          ...withCreateSchema({
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: { replicas: { type: 'integer', exclusiveMinimum: 0 } },
          }),
        }),
        plan('clean-schema', withCreateSchema(CLEAN_SCHEMA)),
      ],
    },
    {
      id: 'metadata',
      name: 'metadata',
      description: 'A service whose metadata and tags CC rejects',
      bindable: true,
      tags: longTags,
      requires: ['syslog_drain', 'bogus_requirement'],
      metadata: { displayName: 'Dirty metadata', documentationUrl: { href: 'https://docs.example' } },
      plans: [
        plan('extra-maintenance', { maintenance_info: { version: '1.2.3', description: 'ok', rollout: 'weekly' } }),
        plan('non-semver', { maintenance_info: { version: '1.2', description: 'not semver' } }),
        plan('long-description', { description: 'd'.repeat(12_000) }),
        plan('Case'),
        plan('case'),
      ],
    },
    {
      id: 'reuses-plan-id',
      name: 'reuses-plan-id',
      description: 'Reuses a plan id of another service of this backend',
      bindable: true,
      plans: [
        plan('extra-maintenance'),
        plan('own-plan'),
        plan('string-free', { free: 'no' }),
        { id: 'no-description', name: 'no-description' },
      ],
    },
    {
      id: 'not-bindable-boolean',
      name: 'not-bindable-boolean',
      description: 'bindable is a string',
      bindable: 'yes',
      plans: [plan('string-bindable')],
    },
    {
      id: 'schemas-again',
      name: 'schemas',
      description: 'Repeats the name of another service of this backend',
      bindable: true,
      plans: [plan('again-plan')],
    },
    { id: 'no-plans', name: 'no-plans', description: 'Offers nothing', bindable: false, plans: [] },
    {
      id: 'x'.repeat(300),
      name: 'long-id',
      description: 'An id CC cannot store',
      bindable: false,
      plans: [plan('long-id-plan')],
    },
  ],
};

/** What the broker must do with each dirty entry: `serviceId`/`planId` are upstream ids. */
export const EXPECTED_ADJUSTMENTS: Array<{
  serviceId: string;
  planId?: string;
  action: 'rewritten' | 'dropped';
  reason: RegExp;
}> = [
  { serviceId: 'schemas', planId: 'draft07-simple', action: 'rewritten', reason: /draft-07.*draft-04/ },
  { serviceId: 'schemas', planId: 'draft2020', action: 'rewritten', reason: /not published/ },
  { serviceId: 'schemas', planId: 'draft07-empty-required', action: 'rewritten', reason: /draft-07.*draft-06/ },
  { serviceId: 'schemas', planId: 'invalid-schema', action: 'rewritten', reason: /not published/ },
  { serviceId: 'schemas', planId: 'https-draft04', action: 'rewritten', reason: /relabelled.*draft-04/ },
  { serviceId: 'schemas', planId: 'draft07-exclusive', action: 'rewritten', reason: /draft-07.*draft-06/ },
  { serviceId: 'schemas', planId: 'remote-ref', action: 'rewritten', reason: /external \$ref.*not published/ },
  { serviceId: 'schemas', planId: 'huge-schema', action: 'rewritten', reason: /64 KiB.*not published/ },
  { serviceId: 'metadata', action: 'rewritten', reason: /tags/ },
  { serviceId: 'metadata', action: 'rewritten', reason: /requires/ },
  { serviceId: 'metadata', action: 'rewritten', reason: /documentationUrl/ },
  { serviceId: 'metadata', planId: 'extra-maintenance', action: 'rewritten', reason: /rollout/ },
  { serviceId: 'metadata', planId: 'non-semver', action: 'rewritten', reason: /semver/ },
  { serviceId: 'metadata', planId: 'long-description', action: 'rewritten', reason: /description/ },
  { serviceId: 'metadata', planId: 'case', action: 'dropped', reason: /ignoring case/ },
  { serviceId: 'reuses-plan-id', planId: 'extra-maintenance', action: 'dropped', reason: /already used/ },
  { serviceId: 'reuses-plan-id', planId: 'string-free', action: 'rewritten', reason: /free/ },
  { serviceId: 'reuses-plan-id', planId: 'no-description', action: 'dropped', reason: /description/ },
  { serviceId: 'schemas-again', action: 'dropped', reason: /appears twice/ },
  { serviceId: 'not-bindable-boolean', action: 'dropped', reason: /bindable/ },
  { serviceId: 'no-plans', action: 'dropped', reason: /no publishable plan/ },
  { serviceId: 'x'.repeat(300), action: 'dropped', reason: /255/ },
];
