/**
 * The backend contract suite, exported for plugin authors (`omnibroker/testing`). It drives a backend twice:
 * directly through the plugin API, and through the whole broker (gateway → broker → registry) on memory state.
 *
 *   backendContract({ name: 'acme', definition, options: { url: '...' }, sample: { serviceId, planId } });
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOptionsAjv } from '../../src/config/ajv.ts';
import {
  type Backend,
  type BackendDefinition,
  type BindOutput,
  type CallContext,
  credentialViolations,
  type InstanceView,
  isBackendError,
  type JsonObject,
  type Logger,
  type OperationStatus,
  type Outcome,
} from '../../src/plugin-api/index.ts';
import { type Harness, startHarness } from '../support/harness.ts';

export interface BackendContractOptions {
  /** Shown in the test names. */
  name: string;
  definition: BackendDefinition;
  /** The backend's options; a function is called after `setup`, for options that depend on it (ports). */
  options: JsonObject | (() => JsonObject);
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
  /** A service and plan of the backend's own catalog (its ids, not namespaced) that can be provisioned and bound. */
  sample: { serviceId: string; planId: string; parameters?: JsonObject; bindParameters?: JsonObject };
  /** Longest time one asynchronous operation may take (default 60 s). */
  operationTimeoutMs?: number;
}

const BROKER_NAME = 'contract';
const POLL_MS = 100;

const silentLog: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLog,
};

const context = (): CallContext => ({ signal: AbortSignal.timeout(30_000), log: silentLog });

const isGone = (error: unknown) => isBackendError(error) && (error.code === 'Gone' || error.code === 'NotFound');

async function pollUntilDone<T>(
  poll: () => Promise<OperationStatus<T>>,
  timeoutMs: number,
): Promise<OperationStatus<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await poll();
    if (status.state !== 'in progress') return status;
    if (Date.now() > deadline) throw new Error(`operation still in progress after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Registers the contract tests for one backend in the calling test file. */
export function backendContract(contract: BackendContractOptions): void {
  const { definition, sample } = contract;
  const timeoutMs = contract.operationTimeoutMs ?? 60_000;
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const optionsOf = () => (typeof contract.options === 'function' ? contract.options() : contract.options);
  /** The options as the broker hands them to `create`: validated, with the schema's defaults filled in. */
  const loadedOptions = () => {
    const options = structuredClone(optionsOf());
    const validate = createOptionsAjv().compile(definition.optionsSchema);
    if (!validate(options))
      throw new Error(`options do not match the optionsSchema: ${JSON.stringify(validate.errors)}`);
    return options;
  };

  beforeAll(async () => {
    await contract.setup?.();
  });
  afterAll(async () => {
    await contract.teardown?.();
  });

  describe(`${contract.name}: plugin API`, () => {
    let backend: Backend;
    const instanceId = `contract-direct-${suffix}`;
    const bindingId = `contract-direct-binding-${suffix}`;
    let instance: InstanceView;
    let bound: Partial<BindOutput> = {};

    /** Runs a call; a `started` answer is polled to its end. Returns what the backend produced. */
    async function finish<T>(
      outcome: Outcome<T>,
      poll: ((operation: string) => Promise<OperationStatus<unknown>>) | undefined,
    ): Promise<Partial<T>> {
      if (outcome.state === 'done') return outcome.output;
      expect(poll, 'a backend that answers `started` must implement the matching last-operation call').toBeDefined();
      const status = await pollUntilDone(() => (poll as NonNullable<typeof poll>)(outcome.operation), timeoutMs);
      expect(status.state, status.description).toBe('succeeded');
      return { ...outcome.output, ...(status.output as Partial<T> | undefined) };
    }

    const provision = (acceptsIncomplete: boolean) =>
      backend.provision(
        {
          instanceId,
          serviceId: sample.serviceId,
          planId: sample.planId,
          parameters: sample.parameters ?? {},
          context: { platform: 'contract' },
          organizationGuid: 'contract-org',
          spaceGuid: 'contract-space',
          acceptsIncomplete,
        },
        context(),
      );

    const pollProvision = (operation: string) =>
      backend.lastOperation?.({ instance, kind: 'provision', operation }, context()) ??
      Promise.reject(new Error('no lastOperation'));

    beforeAll(async () => {
      backend = await definition.create(loadedOptions() as never, {
        name: BROKER_NAME,
        log: silentLog,
        configDir: process.cwd(),
      });
    });
    afterAll(async () => {
      await backend?.close?.();
    });

    it('is a versioned definition whose options schema accepts the options', () => {
      expect(typeof definition.kind).toBe('string');
      expect(definition.apiVersion).toBe(1);
      const validate = createOptionsAjv().compile(definition.optionsSchema);
      expect(validate(structuredClone(optionsOf())), JSON.stringify(validate.errors)).toBe(true);
    });

    it('serves a catalog of well-formed offerings that includes the sample plan', async () => {
      const { services } = await backend.catalog(context());
      expect(services.length).toBeGreaterThan(0);
      const ids = new Set<string>();
      for (const service of services) {
        expect(service.id, 'service id').toMatch(/\S/);
        expect(service.name, 'service name').toMatch(/^[a-z0-9][a-z0-9-]*$/);
        expect(service.description, `${service.id} description`).toMatch(/\S/);
        expect(typeof service.bindable, `${service.id} bindable`).toBe('boolean');
        expect(service.plans.length, `${service.id} plans`).toBeGreaterThan(0);
        expect(ids.has(service.id), `service id ${service.id} is unique`).toBe(false);
        ids.add(service.id);
        const planNames = new Set<string>();
        for (const plan of service.plans) {
          expect(plan.id, 'plan id').toMatch(/\S/);
          expect(plan.description, `${plan.id} description`).toMatch(/\S/);
          expect(planNames.has(plan.name), `plan name ${plan.name} is unique in ${service.id}`).toBe(false);
          planNames.add(plan.name);
          expect(ids.has(plan.id), `plan id ${plan.id} is unique`).toBe(false);
          ids.add(plan.id);
        }
      }
      const offering = services.find((s) => s.id === sample.serviceId);
      expect(offering?.plans.map((p) => p.id)).toContain(sample.planId);
    });

    it('provisions: done at once, or AsyncRequired without accepts_incomplete and then started + lastOperation', async () => {
      instance = {
        id: instanceId,
        serviceId: sample.serviceId,
        planId: sample.planId,
        parameters: sample.parameters ?? {},
        context: { platform: 'contract' },
        data: {},
        secrets: {},
      };
      let outcome: Awaited<ReturnType<typeof provision>>;
      try {
        outcome = await provision(false);
      } catch (error) {
        expect(isBackendError(error) && error.code, (error as Error).message).toBe('AsyncRequired');
        outcome = await provision(true);
        expect(outcome.state).toBe('started');
      }
      const output = await finish(outcome, pollProvision);
      instance = { ...instance, data: output.data ?? {}, secrets: output.secrets ?? {} };
    });

    it('answers a repeated provision of the same instance without error (idempotent after a crash)', async () => {
      const output = await finish(await provision(true), pollProvision);
      expect(output).toBeDefined();
    });

    it('binds with flat, kebab-case, string-valued credentials carrying type and provider', async () => {
      const outcome = await backend.bind(
        {
          instance,
          bindingId,
          parameters: sample.bindParameters ?? {},
          context: { platform: 'contract' },
          acceptsIncomplete: true,
        },
        context(),
      );
      const binding = { id: bindingId, instanceId, parameters: {}, data: {}, secrets: {} };
      bound = await finish(
        outcome,
        (operation) =>
          backend.lastBindingOperation?.({ instance, binding, kind: 'bind', operation }, context()) ??
          Promise.reject(new Error('no lastBindingOperation')),
      );
      expect(bound.credentials).toBeDefined();
      expect(credentialViolations(bound.credentials ?? {})).toEqual([]);
    });

    it('unbinds, and unbinding again (already gone) succeeds', async () => {
      const binding = {
        id: bindingId,
        instanceId,
        parameters: {},
        data: bound.data ?? {},
        secrets: bound.secrets ?? {},
      };
      const unbind = async () => {
        try {
          const outcome = await backend.unbind({ instance, binding, acceptsIncomplete: true }, context());
          await finish(
            outcome,
            (operation) =>
              backend.lastBindingOperation?.({ instance, binding, kind: 'unbind', operation }, context()) ??
              Promise.reject(new Error('no lastBindingOperation')),
          );
        } catch (error) {
          if (!isGone(error)) throw error;
        }
      };
      await unbind();
      await unbind();
    });

    it('deprovisions, and deprovisioning again (already gone) succeeds', async () => {
      const deprovision = async () => {
        try {
          const outcome = await backend.deprovision({ instance, acceptsIncomplete: true }, context());
          await finish(
            outcome,
            (operation) =>
              backend.lastOperation?.({ instance, kind: 'deprovision', operation }, context()) ??
              Promise.reject(new Error('no lastOperation')),
          );
        } catch (error) {
          if (!isGone(error)) throw error;
        }
      };
      await deprovision();
      await deprovision();
    });

    it('answers health, when it has a health check', async () => {
      if (backend.health === undefined) return;
      const status = await backend.health(context());
      expect(status.ok, status.detail).toBe(true);
    });
  });

  describe(`${contract.name}: through the broker`, () => {
    let harness: Harness;
    const instanceId = `contract-broker-${suffix}`;
    const bindingId = `contract-broker-binding-${suffix}`;
    const ids = { service_id: `${BROKER_NAME}.${sample.serviceId}`, plan_id: `${BROKER_NAME}.${sample.planId}` };
    const provisionBody = { ...ids, parameters: sample.parameters ?? {} };

    beforeAll(async () => {
      harness = await startHarness({
        backends: [{ name: BROKER_NAME, type: definition.kind, options: optionsOf() }],
        definitions: { [definition.kind]: definition },
      });
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('publishes the sample plan under the backend name', async () => {
      const res = await harness.client.catalog();
      expect(res.status).toBe(200);
      const service = (res.body.services as Array<{ id: string; plans: Array<{ id: string }> }>).find(
        (s) => s.id === ids.service_id,
      );
      expect(service?.plans.map((p) => p.id)).toContain(ids.plan_id);
    });

    it('provisions (201, or 202 then last_operation succeeded), and an identical PUT answers 200', async () => {
      const res = await harness.client.provision(instanceId, provisionBody);
      expect([201, 202], res.text).toContain(res.status);
      if (res.status === 202) {
        const final = await harness.client.waitForInstance(
          instanceId,
          res.body.operation as string | undefined,
          timeoutMs,
        );
        expect(final.state, JSON.stringify(final)).toBe('succeeded');
      }
      const again = await harness.client.provision(instanceId, provisionBody);
      expect(again.status, again.text).toBe(200);
    });

    it('binds with credentials that pass credentialViolations', async () => {
      const res = await harness.client.bind(
        instanceId,
        bindingId,
        { ...ids, parameters: sample.bindParameters ?? {} },
        true,
      );
      expect([201, 202], res.text).toContain(res.status);
      let credentials = res.body.credentials as Record<string, unknown> | undefined;
      if (res.status === 202) {
        const final = await harness.client.waitForBinding(
          instanceId,
          bindingId,
          res.body.operation as string | undefined,
          timeoutMs,
        );
        expect(final.state, JSON.stringify(final)).toBe('succeeded');
        credentials = (await harness.client.getBinding(instanceId, bindingId)).body.credentials as Record<
          string,
          unknown
        >;
      }
      expect(credentials).toBeDefined();
      expect(credentialViolations(credentials ?? {})).toEqual([]);
    });

    it('unbinds (200 or 202), then the binding is gone (410)', async () => {
      const res = await harness.client.unbind(instanceId, bindingId, ids);
      expect([200, 202], res.text).toContain(res.status);
      if (res.status === 202)
        await harness.client.waitForBinding(instanceId, bindingId, res.body.operation as string | undefined, timeoutMs);
      const again = await harness.client.unbind(instanceId, bindingId, ids);
      expect(again.status, again.text).toBe(410);
    });

    it('deprovisions (200 or 202), then the instance is gone (410)', async () => {
      const res = await harness.client.deprovision(instanceId, ids);
      expect([200, 202], res.text).toContain(res.status);
      if (res.status === 202) {
        const final = await harness.client.waitForInstance(
          instanceId,
          res.body.operation as string | undefined,
          timeoutMs,
        );
        expect(['succeeded', 'gone']).toContain(final.state);
      }
      const again = await harness.client.deprovision(instanceId, ids);
      expect(again.status, again.text).toBe(410);
    });
  });
}
