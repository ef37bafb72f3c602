import CircuitBreaker from 'opossum';
import type { BreakerConfig } from '../config/schema.ts';
import { BREAKER_STATE_VALUE, type Metrics } from '../observability/metrics.ts';
import { lazyCallLogger } from './lazy-call-logger.ts';
import {
  type Backend,
  BackendError,
  type CallContext,
  errors,
  isBackendError,
  type Logger,
} from '../plugin-api/index.ts';

/** The breaker refused the call: the backend was never asked, so nothing can have been created. */
export class RejectedCallError extends BackendError {}

export type BreakerState = 'closed' | 'open' | 'halfOpen';

type Call<T> = (ctx: CallContext) => Promise<T>;

export interface CallIdentity {
  requestIdentity?: string;
  originatingIdentity?: CallContext['originatingIdentity'];
}

/** A backend behind its own circuit breaker and per-call deadline, with latency metrics. */
export class GuardedBackend {
  private readonly breaker: CircuitBreaker<[Call<unknown>, CallContext], unknown>;

  constructor(
    readonly name: string,
    readonly kind: string,
    readonly prefix: string,
    readonly backend: Backend,
    private readonly settings: BreakerConfig,
    /** This backend's logger: its lines already carry `backend`. */
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.breaker = new CircuitBreaker((call: Call<unknown>, ctx: CallContext) => call(ctx), {
      // The deadline is enforced in `call` so the backend's AbortSignal fires; opossum only counts.
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      resetTimeout: settings.resetTimeoutMs,
      volumeThreshold: settings.volumeThreshold,
      rollingCountTimeout: settings.rollingCountTimeoutMs,
      errorFilter: (error: unknown) => isBackendError(error) && error.userSide,
    });
    const report = (state: BreakerState) => () => {
      metrics.breakerState.set({ backend: name }, BREAKER_STATE_VALUE[state]);
      metrics.breakerTransitions.inc({ backend: name, state });
      log.warn({ breaker: state }, `circuit breaker of backend "${name}" is now ${state}`);
    };
    this.breaker.on('open', report('open'));
    this.breaker.on('halfOpen', report('halfOpen'));
    this.breaker.on('close', report('closed'));
    metrics.breakerState.set({ backend: name }, BREAKER_STATE_VALUE.closed);
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'halfOpen';
    return 'closed';
  }

  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.settings.resetTimeoutMs / 1000));
  }

  /** Runs one backend call under the breaker and the deadline; every failure is a BackendError. */
  async call<T>(operation: string, identity: CallIdentity, run: Call<T>): Promise<T> {
    const started = performance.now();
    const controller = new AbortController();
    const ctx: CallContext = {
      signal: controller.signal,
      log: lazyCallLogger(this.log, { operation, requestIdentity: identity.requestIdentity }),
      ...(identity.requestIdentity === undefined ? {} : { requestIdentity: identity.requestIdentity }),
      ...(identity.originatingIdentity === undefined ? {} : { originatingIdentity: identity.originatingIdentity }),
    };
    const deadlineMs = this.settings.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new Error('deadline exceeded'));
        reject(errors.timeout(`backend "${this.name}" did not answer ${operation} within ${deadlineMs} ms`));
      }, deadlineMs);
    });
    const guarded: Call<T> = (c) => Promise.race([run(c), deadline]);
    let outcome = 'ok';
    try {
      return (await this.breaker.fire(guarded as Call<unknown>, ctx)) as T;
    } catch (error) {
      const mapped = this.toBackendError(error, operation);
      outcome = this.outcomeLabel(error, mapped);
      throw mapped;
    } finally {
      clearTimeout(timer);
      this.metrics.backendCalls.observe(
        { backend: this.name, operation, outcome },
        (performance.now() - started) / 1000,
      );
    }
  }

  private outcomeLabel(raw: unknown, mapped: BackendError): string {
    if ((raw as { code?: string }).code === 'EOPENBREAKER') return 'rejected';
    if (mapped.code === 'Timeout') return 'timeout';
    return mapped.userSide ? 'user_error' : 'error';
  }

  private toBackendError(error: unknown, operation: string): BackendError {
    if (isBackendError(error)) {
      // Infrastructure failures name the backend, so an operator reading the platform's error knows where to look.
      if (error.userSide || error.message.includes(`backend "${this.name}"`)) return error;
      const options =
        error.retryAfterSeconds === undefined
          ? { cause: error }
          : { cause: error, retryAfterSeconds: error.retryAfterSeconds };
      return new BackendError(error.code, `backend "${this.name}": ${error.message}`, options);
    }
    if ((error as { code?: string }).code === 'EOPENBREAKER') {
      return new RejectedCallError(
        'Unavailable',
        `backend "${this.name}" is unavailable: its circuit breaker is open after repeated failures; retry in ${this.retryAfterSeconds} s`,
        { retryAfterSeconds: this.retryAfterSeconds },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    this.log.error({ operation, err: error }, 'backend call failed unexpectedly');
    return new BackendError('Internal', `backend "${this.name}" failed during ${operation}: ${message}`, {
      cause: error,
    });
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    await this.backend.close?.();
  }
}
