import fc from 'fast-check';

/** Random OSB requests: every route, with ids, headers, query strings and bodies from valid to hostile. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export const SEEDED = { instance: 'fz-instance', binding: 'fz-binding' };
export const GOOD = { service: 'up.svc-postgres', plan: 'up.plan-small' };
export const VALID_AUTH = `Basic ${Buffer.from('platform:test-password').toString('base64')}`;

const ROUTES: Array<[method: string, template: string]> = [
  ['GET', '/v2/catalog'],
  ['PUT', '/v2/service_instances/{i}'],
  ['PATCH', '/v2/service_instances/{i}'],
  ['DELETE', '/v2/service_instances/{i}'],
  ['GET', '/v2/service_instances/{i}'],
  ['GET', '/v2/service_instances/{i}/last_operation'],
  ['PUT', '/v2/service_instances/{i}/service_bindings/{b}'],
  ['DELETE', '/v2/service_instances/{i}/service_bindings/{b}'],
  ['GET', '/v2/service_instances/{i}/service_bindings/{b}'],
  ['GET', '/v2/service_instances/{i}/service_bindings/{b}/last_operation'],
  ['POST', '/v2/service_instances/{i}'],
];

const printable = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });
const unicode = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });

/**
 * Fastify's router refuses longer path parameters, and malformed %-escapes, before the gateway's error handler
 * sees them (known bugs: see osb-input.test.ts); the property stays below that and the two cases are tested apart.
 */
export const MAX_PARAM_LENGTH = 100;

/** Path segments, already encoded: seeded ids, uuids, unicode, encoded slashes and dots, long ones. */
const idSegment = fc.oneof(
  fc.constantFrom(SEEDED.instance, SEEDED.binding, '%2F', 'a%2Fb', '..', '%2e%2e', '%00'),
  fc.uuid(),
  unicode(40)
    .filter((s) => s !== '')
    .map(encodeURIComponent),
  fc.integer({ min: 90, max: MAX_PARAM_LENGTH }).map((n) => 'i'.repeat(n)),
);

/** Strings, numbers, arrays, objects, booleans and null: a wrong type for every field, sometimes the right one. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(null),
  fc.constant(''),
  fc.constant({}),
  unicode(20),
);
const goodOrAny = (good: unknown) => fc.oneof(fc.constant(good), anyValue);

const fieldsBody = fc.record(
  {
    service_id: goodOrAny(GOOD.service),
    plan_id: goodOrAny(GOOD.plan),
    organization_guid: goodOrAny('org-1'),
    space_guid: goodOrAny('space-1'),
    parameters: goodOrAny(null),
    context: goodOrAny({ platform: 'cloudfoundry' }),
    maintenance_info: goodOrAny({ version: '1.2.0' }),
    previous_values: anyValue,
    app_guid: goodOrAny(''),
    bind_resource: goodOrAny({ app_guid: '' }),
  },
  { requiredKeys: [] },
);

const nested = (depth: number, open: string, close: string, leaf: string) =>
  `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

const body = fc.oneof(
  { weight: 4, arbitrary: fieldsBody.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 1, arbitrary: unicode(200) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 100, max: 20_000 })
      .map(
        (depth) =>
          `{"service_id":"${GOOD.service}","plan_id":"${GOOD.plan}","organization_guid":"o","space_guid":"s","parameters":{"a":${nested(depth, '{"a":', '}', '1')}}}`,
      ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 200_000 }).map((depth) => nested(depth, '[', ']', '')) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(900_000, 1_100_000)
      .map((size) =>
        JSON.stringify({ service_id: GOOD.service, plan_id: GOOD.plan, parameters: { blob: 'x'.repeat(size) } }),
      ),
  },
);

const version = fc.oneof(
  fc.constantFrom('2.17', '2.14', '2.15', '', '3.0', '2', '2.', '1.9', '2.x', ' 2.17'),
  printable(12),
);
const authorization = fc.oneof(
  { weight: 5, arbitrary: fc.constant(VALID_AUTH) },
  { weight: 1, arbitrary: printable(60) },
  { weight: 1, arbitrary: unicode(30).map((s) => `Basic ${Buffer.from(s).toString('base64')}`) },
  { weight: 1, arbitrary: printable(40).map((s) => `Bearer ${s}`) },
);
const originating = fc.oneof(
  printable(80),
  fc
    .tuple(printable(10), fc.jsonValue({ maxDepth: 2 }))
    .map(([p, v]) => `${p} ${Buffer.from(JSON.stringify(v)).toString('base64')}`),
);

const headers = fc
  .record(
    {
      'x-broker-api-version': fc.oneof(
        { weight: 5, arbitrary: fc.constant('2.17') },
        { weight: 1, arbitrary: version },
      ),
      authorization,
      'x-broker-api-originating-identity': originating,
      'x-broker-api-request-identity': printable(300),
      'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'garbage'),
    },
    { requiredKeys: [] },
  )
  .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);

const queryValue = fc.oneof(
  fc.constantFrom('true', 'false', '', GOOD.service, GOOD.plan, 'provision'),
  unicode(30),
  fc.integer({ min: 9000, max: 12_000 }).map((n) => 'o'.repeat(n)),
);
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('accepts_incomplete', 'service_id', 'plan_id', 'operation', 'x', 'service_id[]', '__proto__'),
      queryValue,
    ),
    { maxLength: 6 },
  )
  .map((pairs) => (pairs.length === 0 ? '' : `?${new URLSearchParams(pairs).toString()}`));

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    route: fc.constantFrom(...ROUTES),
    instance: idSegment,
    binding: idSegment,
    query,
    headers,
    body: fc.option(body, { nil: undefined }),
  })
  .map(({ route: [method, template], instance, binding, query: q, headers: h, body: b }) => ({
    method,
    path: `${template.replace('{i}', instance).replace('{b}', binding)}${q}`,
    headers: h,
    ...(b === undefined ? {} : { body: b }),
  }));
