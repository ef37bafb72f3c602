import type { JsonObject, MaintenanceInfo, OperationKind, OperationState } from '../plugin-api/index.ts';
import type { Sealed } from '../state/key-ring.ts';

/** The latest operation of an instance or binding, durable before any 202 names it. */
export interface OperationRecord {
  /** The id the platform sees (`operation` in 202 and last_operation). */
  id: string;
  kind: OperationKind;
  state: OperationState;
  description?: string;
  /** The backend's own token for an operation it runs asynchronously. */
  backendToken?: string;
  /** Salted hash of the request that started it (a re-sent identical request gets the same answer). */
  requestHash: string;
  startedAt: number;
  /** No backend status call before this time; faster polls are answered from the store. */
  nextPollAt?: number;
  deadline: number;
  attempts: number;
  /** Whether the platform allowed async work; a repeated call after a crash passes the same. */
  acceptsIncomplete: boolean;
  /** The backend failed with an infrastructure error: an identical request retries the call. */
  retryable?: boolean;
  /** An update's target, applied when it succeeds. */
  target?: {
    planId: string;
    upstreamPlanId: string;
    parameters: JsonObject;
    sealedParameters?: Sealed;
    context?: JsonObject;
    maintenanceInfo?: MaintenanceInfo;
  };
}

/** A DELETE accepted while another operation ran; it starts once that one ends. */
export interface PendingDelete {
  operationId: string;
  requestedAt: number;
}

export type ResourceStatus = 'creating' | 'ready' | 'failed' | 'updating' | 'deleting' | 'deleted';

interface CommonRecord {
  id: string;
  backend: string;
  status: ResourceStatus;
  parameters: JsonObject;
  /** Parameters the plan marks secret, sealed with the record id as associated data. */
  sealedParameters?: Sealed;
  context: JsonObject;
  /** Random salt of the request hashes (hashes of secret parameters must not be guessable). */
  salt: string;
  /** Hash of the create request (PUT), to tell a re-sent PUT from a conflicting one. */
  createHash: string;
  data: JsonObject;
  sealedSecrets?: Sealed;
  op: OperationRecord;
  pendingDelete?: PendingDelete;
  createdAt: number;
  updatedAt: number;
}

export interface InstanceRecord extends CommonRecord {
  serviceId: string;
  planId: string;
  upstreamServiceId: string;
  upstreamPlanId: string;
  organizationGuid?: string;
  spaceGuid?: string;
  maintenanceInfo?: MaintenanceInfo;
  dashboardUrl?: string;
}

export interface BindingRecord extends CommonRecord {
  instanceId: string;
  bindingId: string;
  appGuid?: string;
  bindResource?: JsonObject;
  sealedCredentials?: Sealed;
  syslogDrainUrl?: string;
  routeServiceUrl?: string;
  volumeMounts?: JsonObject[];
}

/** Index entry of an unfinished operation, so any replica can find and finish it after a restart. */
export interface OpenOperation {
  target: 'instance' | 'binding';
  id: string;
}

export const bindingKey = (instanceId: string, bindingId: string): string => `${instanceId}/${bindingId}`;
export const openOperationKey = (target: OpenOperation['target'], id: string): string => `${target}:${id}`;
