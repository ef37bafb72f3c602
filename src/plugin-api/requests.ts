import type { JsonObject, MaintenanceInfo } from './catalog.ts';

/** A pino-compatible logger subset, so plugins need not depend on pino. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  /** pino's; when present, lines below the level are dropped before any work is done for them. */
  isLevelEnabled?(level: string): boolean;
}

export interface OriginatingIdentity {
  platform: string;
  value: JsonObject;
}

/** Given to every backend call. `signal` aborts when the per-call deadline passes. */
export interface CallContext {
  signal: AbortSignal;
  log: Logger;
  requestIdentity?: string;
  originatingIdentity?: OriginatingIdentity;
}

/** What the broker stored about an instance, handed back to the backend on every later call. */
export interface InstanceView {
  id: string;
  serviceId: string;
  planId: string;
  parameters: JsonObject;
  context: JsonObject;
  /** Backend-owned data returned by an earlier call (stored as is). */
  data: JsonObject;
  /** Backend-owned secrets returned by an earlier call (stored encrypted). */
  secrets: JsonObject;
}

export interface BindingView {
  id: string;
  instanceId: string;
  parameters: JsonObject;
  data: JsonObject;
  secrets: JsonObject;
}

export interface ProvisionRequest {
  instanceId: string;
  serviceId: string;
  planId: string;
  /** Provision parameters, secret ones included (the broker encrypts those it stores). */
  parameters: JsonObject;
  context: JsonObject;
  organizationGuid?: string;
  spaceGuid?: string;
  maintenanceInfo?: MaintenanceInfo;
  acceptsIncomplete: boolean;
}

export interface UpdateRequest {
  instance: InstanceView;
  /** The plan after the update (equal to `instance.planId` when the plan is unchanged). */
  planId: string;
  /** Only the parameters sent with this update. */
  parameters: JsonObject;
  context: JsonObject;
  maintenanceInfo?: MaintenanceInfo;
  acceptsIncomplete: boolean;
}

export interface DeprovisionRequest {
  instance: InstanceView;
  acceptsIncomplete: boolean;
}

export type OperationKind = 'provision' | 'update' | 'deprovision' | 'bind' | 'unbind';

export interface LastOperationRequest {
  /** Without secrets (status polls decrypt nothing); during an update `planId` is the plan being moved to. */
  instance: InstanceView;
  kind: 'provision' | 'update' | 'deprovision';
  /** The token the backend returned when it started the operation. */
  operation: string;
}

export interface BindRequest {
  instance: InstanceView;
  bindingId: string;
  parameters: JsonObject;
  context: JsonObject;
  bindResource?: JsonObject;
  acceptsIncomplete: boolean;
}

export interface UnbindRequest {
  instance: InstanceView;
  binding: BindingView;
  acceptsIncomplete: boolean;
}

export interface BindingLastOperationRequest {
  instance: InstanceView;
  binding: BindingView;
  kind: 'bind' | 'unbind';
  operation: string;
}
