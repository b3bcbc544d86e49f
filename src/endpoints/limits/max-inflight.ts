/**
 * `--max-requests-inflight` and `--max-mutating-requests-inflight`, as upstream's
 * WithMaxInFlightLimit: two pools of slots, one for reads and one for writes; a request finding
 * its pool full is refused with 429 and `Retry-After: 1` (upstream's plain-text answer), unless
 * its user is in `system:masters` (always answered). Long-running calls take no slot. A limit of
 * 0 means no limit for that pool. Resource calls are limited by the pipeline's interceptor,
 * non-resource requests (discovery, OpenAPI, version, metrics) by the transport through `admit`.
 */
import { ApiError } from '../../machinery/errors/index.js';
import type { Interceptor, UserInfo } from '../api-call.js';
import { SYSTEM_MASTERS } from '../auth/user.js';
import { isLongRunning, isReadOnly } from './long-running.js';

export interface InflightLimits {
  /** Reads in progress at once (default 400). */
  maxRequestsInflight: number;
  /** Writes in progress at once (default 200). */
  maxMutatingRequestsInflight: number;
}

/** Upstream's 429: plain text over HTTP, the Status (RESOURCE_EXHAUSTED) over gRPC. */
export function tooManyRequests(): ApiError {
  const err = new ApiError('TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
  err.plainText = true;
  return err;
}

/** One pool of slots. */
class Pool {
  inUse = 0;
  constructor(readonly size: number) {}
  tryTake(): boolean {
    if (this.size > 0 && this.inUse >= this.size) return false;
    this.inUse++;
    return true;
  }
  give(): void {
    this.inUse--;
  }
}

export interface InflightLimiter {
  /** The pipeline's interceptor, placed after authentication (it reads the call's user). */
  interceptor: Interceptor;
  /**
   * A non-resource request of `user` takes a slot (a read for GET and HEAD); returns the function
   * that gives it back, or throws the 429.
   */
  admit(readOnly: boolean, user: UserInfo | undefined): () => void;
}

export function createInflightLimiter(limits: InflightLimits): InflightLimiter {
  const reads = new Pool(limits.maxRequestsInflight);
  const writes = new Pool(limits.maxMutatingRequestsInflight);
  const none = (): void => undefined;
  const admit = (readOnly: boolean, user: UserInfo | undefined): (() => void) => {
    const pool = readOnly ? reads : writes;
    if (!pool.tryTake()) {
      if (user?.groups.includes(SYSTEM_MASTERS)) return none;
      throw tooManyRequests();
    }
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      pool.give();
    };
  };
  return {
    admit,
    interceptor: (next) => async (call) => {
      if (isLongRunning(call)) return next(call);
      const release = admit(isReadOnly(call), call.user);
      // The slot is free again when the handler is done, or when the call is given up (its
      // deadline passed, its client left): upstream's handler returns then, its context done.
      const onAbort = (): void => release();
      call.signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await next(call);
      } finally {
        call.signal.removeEventListener('abort', onAbort);
        release();
      }
    },
  };
}
