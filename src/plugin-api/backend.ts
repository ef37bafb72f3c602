import type { Static, TSchema } from '@sinclair/typebox';
import type { Catalog } from './catalog.ts';
import type {
  BindingLastOperationRequest,
  BindRequest,
  CallContext,
  DeprovisionRequest,
  LastOperationRequest,
  Logger,
  ProvisionRequest,
  UnbindRequest,
  UpdateRequest,
} from './requests.ts';
import type {
  BindOutput,
  DeprovisionOutput,
  HealthStatus,
  OperationStatus,
  Outcome,
  ProvisionOutput,
  UnbindOutput,
  UpdateOutput,
} from './results.ts';

/** Bumped on any breaking change of this surface; the registry refuses plugins built for another one. */
export const PLUGIN_API_VERSION = 1;

const definitionBrand = Symbol.for('omnibroker.backend-definition');

export interface BackendDeps {
  /** The backend's configured name (its id prefix). */
  name: string;
  log: Logger;
  /** Directory of the config file, for resolving relative paths in options. */
  configDir: string;
}

/**
 * What a backend implements. Every call sees only the backend's own ids. A call that cannot finish within
 * its deadline returns `started` with a token; the broker polls `lastOperation` / `lastBindingOperation`.
 * Creates must be idempotent per instance/binding id: after a crash the broker repeats the same call.
 * Deletes of something already gone succeed (or throw `Gone`/`NotFound`, which the broker treats as done).
 */
export interface Backend {
  catalog(ctx: CallContext): Promise<Catalog>;
  provision(request: ProvisionRequest, ctx: CallContext): Promise<Outcome<ProvisionOutput>>;
  update(request: UpdateRequest, ctx: CallContext): Promise<Outcome<UpdateOutput>>;
  deprovision(request: DeprovisionRequest, ctx: CallContext): Promise<Outcome<DeprovisionOutput>>;
  lastOperation?(request: LastOperationRequest, ctx: CallContext): Promise<OperationStatus<ProvisionOutput>>;
  bind(request: BindRequest, ctx: CallContext): Promise<Outcome<BindOutput>>;
  unbind(request: UnbindRequest, ctx: CallContext): Promise<Outcome<UnbindOutput>>;
  lastBindingOperation?(request: BindingLastOperationRequest, ctx: CallContext): Promise<OperationStatus<BindOutput>>;
  health?(ctx: CallContext): Promise<HealthStatus>;
  close?(): Promise<void>;
}

export interface BackendDefinition<S extends TSchema = TSchema> {
  readonly [definitionBrand]: true;
  readonly apiVersion: number;
  readonly kind: string;
  readonly optionsSchema: S;
  create(options: Static<S>, deps: BackendDeps): Backend | Promise<Backend>;
}

export function defineBackend<S extends TSchema>(definition: {
  kind: string;
  optionsSchema: S;
  create(options: Static<S>, deps: BackendDeps): Backend | Promise<Backend>;
}): BackendDefinition<S> {
  return { [definitionBrand]: true, apiVersion: PLUGIN_API_VERSION, ...definition };
}

export function isBackendDefinition(value: unknown): value is BackendDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[definitionBrand] === true;
}
