import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCatalog } from '../../src/cli/doctor-checks.ts';
import { DEFAULT_CATALOG, type UpstreamBroker, startUpstreamBroker } from '../fakes/upstream-broker/index.ts';
import { type Harness, startHarness } from '../support/harness.ts';
import { CC_RULES } from './cc-catalog-validator.ts';
import { CLEAN_SCHEMA, DIRTY_CATALOG, EXPECTED_ADJUSTMENTS } from './dirty-catalog.ts';
import { UPSTREAM_DEFAULT_AUTH } from '../fakes/upstream-broker/options.ts';

// OSB-RULES 21: the merged catalog of a dirty and a clean backend is one that Cloud Controller accepts.
type Json = Record<string, unknown>;
interface Offering extends Json {
  id: string;
  plans: Array<Json & { id: string }>;
}

let dirty: UpstreamBroker;
let clean: UpstreamBroker;
let harness: Harness;
let published: { services: Offering[] };

const credentials = UPSTREAM_DEFAULT_AUTH;

beforeAll(async () => {
  dirty = await startUpstreamBroker({ catalog: DIRTY_CATALOG, mode: 'sync' });
  clean = await startUpstreamBroker();
  harness = await startHarness({
    backends: [
      { name: 'dirty', type: 'osb', options: { url: dirty.url, ...credentials } },
      { name: 'clean', type: 'osb', options: { url: clean.url, ...credentials } },
    ],
  });
  const res = await harness.client.catalog();
  expect(res.status).toBe(200);
  published = res.body as unknown as { services: Offering[] };
});

afterAll(async () => {
  await harness?.close();
  await dirty?.stop();
  await clean?.stop();
});

const adjustments = () => harness.omnibroker.broker.catalog.adjustments;
const publishedPlan = (planId: string) => published.services.flatMap((s) => s.plans).find((p) => p.id === planId);
const publishedService = (serviceId: string) => published.services.find((s) => s.id === serviceId);

describe('CC catalog rules', () => {
  it.each(CC_RULES.map((rule) => [rule.name, rule] as const))('%s: the published catalog passes', (_, rule) => {
    expect(rule.check(published)).toEqual([]);
  });

  it.each(CC_RULES.map((rule) => [rule.name, rule] as const))('%s: the dirty upstream fails it', (_, rule) => {
    expect(rule.check(DIRTY_CATALOG).length).toBeGreaterThan(0);
  });
});

describe('the merged catalog', () => {
  it('keeps the clean backend exactly as namespacing makes it, with no adjustment', () => {
    const expected = DEFAULT_CATALOG.services.map((s) => ({
      ...s,
      id: `clean.${s.id}`,
      name: `clean-${s.name}`,
      instances_retrievable: true,
      bindings_retrievable: true,
      plans: s.plans.map((p) => ({ ...p, id: `clean.${p.id}` })),
    }));
    expect(published.services.filter((s) => s.id.startsWith('clean.'))).toEqual(expected);
    expect(adjustments().filter((a) => a.backend === 'clean')).toEqual([]);
  });

  it.each(EXPECTED_ADJUSTMENTS.map((e) => [`${e.serviceId.slice(0, 30)} ${e.planId ?? ''} ${e.action}`, e] as const))(
    'reports %s',
    (_, expected) => {
      const found = adjustments().filter(
        (a) =>
          a.backend === 'dirty' &&
          a.serviceId === `dirty.${expected.serviceId}` &&
          a.planId === (expected.planId === undefined ? undefined : `dirty.${expected.planId}`) &&
          a.action === expected.action,
      );
      expect(
        found.map((a) => a.reason),
        JSON.stringify(adjustments().filter((a) => a.serviceId === `dirty.${expected.serviceId}`)),
      ).toContainEqual(expect.stringMatching(expected.reason));
      const gone =
        expected.action === 'dropped' &&
        (expected.planId === undefined
          ? publishedService(`dirty.${expected.serviceId}`)
          : publishedService(`dirty.${expected.serviceId}`)?.plans.find((p) => p.id === `dirty.${expected.planId}`));
      expect(gone || undefined, 'a dropped entry is not published').toBeUndefined();
    },
  );

  it('reports nothing it did not change, and every dirty entry is either published or reported', () => {
    const reportedServices = new Set(adjustments().map((a) => a.serviceId));
    for (const service of DIRTY_CATALOG.services) {
      const id = `dirty.${service.id}`;
      const shown = publishedService(id);
      expect(shown !== undefined || reportedServices.has(id), id.slice(0, 40)).toBe(true);
    }
    expect(publishedPlan('dirty.clean-schema')?.schemas).toEqual({
      service_instance: { create: { parameters: CLEAN_SCHEMA } },
    });
    expect(adjustments().filter((a) => a.planId === 'dirty.clean-schema')).toEqual([]);
  });

  it('publishes the rewritten forms CC accepts', () => {
    const draft07 = publishedPlan('dirty.draft07-simple')?.schemas as Json | undefined;
    expect(draft07).toEqual({
      service_instance: {
        create: {
          parameters: {
            $schema: 'http://json-schema.org/draft-04/schema#',
            type: 'object',
            properties: { size: { type: 'integer', minimum: 1 } },
          },
        },
      },
    });
    for (const planId of ['draft2020', 'remote-ref', 'huge-schema', 'invalid-schema']) {
      const plan = publishedPlan(`dirty.${planId}`);
      expect(plan, planId).toBeDefined();
      expect(plan?.schemas, planId).toBeUndefined();
    }
    const metadata = publishedService('dirty.metadata');
    expect(metadata?.metadata).toEqual({ displayName: 'Dirty metadata' });
    expect(metadata?.requires).toEqual(['syslog_drain']);
    expect((metadata?.tags as string[] | undefined)?.slice(0, 3)).toEqual(DIRTY_CATALOG.services[1]?.tags?.slice(0, 3));
    expect(publishedPlan('dirty.extra-maintenance')?.maintenance_info).toEqual({ version: '1.2.3', description: 'ok' });
    expect(publishedPlan('dirty.non-semver')?.maintenance_info).toBeUndefined();
    expect(publishedPlan('dirty.Case')).toBeDefined();
    expect(publishedPlan('dirty.own-plan')).toBeDefined();
  });

  it('still validates parameters at the door with the schema it did not publish', async () => {
    const ids = { service_id: 'dirty.schemas', plan_id: 'dirty.draft2020' };
    const refused = await harness.client.provision('cc-2020-bad', { ...ids, parameters: { ports: [1, 2] } });
    expect(refused.status).toBe(400);
    expect(refused.body.description).toMatch(/size|ports/);
    expect(dirty.calls.provision).toBe(0);
    const accepted = await harness.client.provision('cc-2020-good', {
      ...ids,
      parameters: { size: 1, ports: [1, 'a'] },
    });
    expect(accepted.status).toBe(201);
    expect(dirty.calls.provision).toBe(1);
  });

  it('counts each adjustment once in /metrics, across refreshes, and lists them in doctor', async () => {
    const count = async (action: string) => {
      const res = await harness.app.inject({ method: 'GET', url: '/metrics' });
      const line = res.body
        .split('\n')
        .find(
          (l) =>
            l.startsWith('omnibroker_catalog_adjustments_total') &&
            l.includes(`action="${action}"`) &&
            l.includes('backend="dirty"'),
        );
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const unique = (action: string) =>
      new Set(
        adjustments()
          .filter((a) => a.action === action)
          .map((a) => JSON.stringify(a)),
      ).size;
    expect(await count('rewritten')).toBe(unique('rewritten'));
    expect(await count('dropped')).toBe(unique('dropped'));
    await harness.omnibroker.broker.catalog.refresh(true);
    expect(await count('rewritten')).toBe(unique('rewritten'));

    const findings = checkCatalog(harness.omnibroker.broker.catalog, harness.omnibroker.backends);
    for (const a of adjustments()) {
      expect(
        findings.some((f) => f.level === 'warn' && f.subject.includes(a.serviceId) && f.detail.includes(a.reason)),
      ).toBe(true);
    }
  });

  it('refuses to start when two backends publish the same service name, naming both (rules 22, 25)', async () => {
    const start = startHarness({
      backends: [
        { name: 'first', type: 'osb', options: { url: clean.url, ...credentials }, prefix: '' },
        { name: 'second', type: 'osb', options: { url: clean.url, ...credentials }, prefix: '' },
      ],
    });
    await expect(start).rejects.toThrow(/first.*second|second.*first/);
  });
});
