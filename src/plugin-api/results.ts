import type { JsonObject } from './catalog.ts';

/** A call either finished (`done`) or started work the broker will poll with the returned token. */
export type Outcome<T> = { state: 'done'; output: T } | { state: 'started'; operation: string; output?: Partial<T> };

/** Data a backend wants kept with the instance or binding; `secrets` are stored encrypted. */
export interface Keep {
  data?: JsonObject;
  secrets?: JsonObject;
}

export interface ProvisionOutput extends Keep {
  dashboardUrl?: string;
}

export type UpdateOutput = ProvisionOutput;

export type DeprovisionOutput = Record<string, never>;

/** Flat, string-valued, kebab-case keys (see `credentials.ts`). */
export type Credentials = Record<string, string>;

export interface BindOutput extends Keep {
  credentials: Credentials;
  syslogDrainUrl?: string;
  routeServiceUrl?: string;
  volumeMounts?: JsonObject[];
}

export type UnbindOutput = Record<string, never>;

export type OperationState = 'in progress' | 'succeeded' | 'failed';

export interface OperationStatus<T = ProvisionOutput> {
  state: OperationState;
  /** In the backend's own words, especially on failure. */
  description?: string;
  /** On success: what to keep or return (e.g. credentials of an async bind). */
  output?: Partial<T>;
  /** A refreshed operation token, when the backend's poller state moved on. */
  operation?: string;
}

export interface HealthStatus {
  ok: boolean;
  detail?: string;
}

export const done = <T>(output: T): Outcome<T> => ({ state: 'done', output });
export const started = <T>(operation: string, output?: Partial<T>): Outcome<T> =>
  output === undefined ? { state: 'started', operation } : { state: 'started', operation, output };
