/** Options of the reference upstream OSB broker (plain JSON, so a child process takes them as `--config`). */

/** One name per route and method; `calls` counts by these names. */
export type RouteName =
  | 'catalog'
  | 'provision'
  | 'update'
  | 'deprovision'
  | 'fetchInstance'
  | 'lastOperation'
  | 'bind'
  | 'unbind'
  | 'fetchBinding'
  | 'bindingLastOperation';

export interface InjectedResponse {
  status: number;
  /** JSON body to send; default `{ description: "injected failure" }`. */
  body?: unknown;
  /** Extra response headers, e.g. `retry-after`. */
  headers?: Record<string, string>;
  /** Answer this many requests so, then behave normally again; default: until changed. */
  times?: number;
}

/** Faults to inject. `setFailure` replaces the whole set; `setFailure({})` clears it. */
export interface Failures {
  /** The next provision fails with this description: async → its last_operation says `failed`; sync → 500. */
  nextProvisionFails?: string;
  /** Routes that answer this status and body instead of doing their work (e.g. 500, 503, 422). */
  respond?: Partial<Record<RouteName, InjectedResponse>>;
  /** Routes that never answer (the socket stays open until the client gives up or the broker stops). */
  hang?: RouteName[];
  /** Extra delay before every answer, in milliseconds. */
  delayMs?: number;
}

/** The fake's credentials unless others are given; tests and the bench configure their `osb` backends with them. */
export const UPSTREAM_DEFAULT_AUTH = { username: 'upstream', password: 'upstream-secret' } as const;

export interface UpstreamBrokerOptions {
  /** Default 0 (a free port); always on 127.0.0.1. */
  port?: number;
  /** Basic auth; defaults `upstream` / `upstream-secret`. */
  username?: string;
  password?: string;
  /** When set, `Authorization: Bearer <token>` is accepted as well. */
  token?: string;
  /** Any JSON served as the catalog, dirty on purpose or not; default: DEFAULT_CATALOG. */
  catalog?: unknown;
  /** `async` (default): provision/update/deprovision need accepts_incomplete=true (else 422 AsyncRequired),
   * bind/unbind are async when it is true and sync otherwise. `sync`: everything finishes in the request. */
  mode?: 'async' | 'sync';
  /** How long an async operation stays `in progress`; default 200 ms. */
  asyncMs?: number;
  /** Delay before every answer, in milliseconds; default 0. */
  delayMs?: number;
  /** Keys merged into (and overriding) every binding's credentials. */
  credentials?: Record<string, unknown>;
  failures?: Failures;
}
