/**
 * `--max-requests-inflight` and `--max-mutating-requests-inflight`, as upstream's
 * WithMaxInFlightLimit: two pools of slots, one for reads and one for writes; a call finding
 * its pool full is refused with 429 and `Retry-After: 1` (upstream's plain-text answer),
 * unless its user is in `system:masters` (always answered). Long-running calls take no slot.
 * A limit of 0 means no limit for that pool.
 */
import { ApiError } from '../../machinery/errors/index.js';
import type { Interceptor } from '../api-call.js';
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

/**
 * The interceptor, placed after authentication (it reads the call's user): a call takes a slot
 * of its pool for as long as its handler runs.
 */
export function maxInflightInterceptor(limits: InflightLimits): Interceptor {
  const reads = new Pool(limits.maxRequestsInflight);
  const writes = new Pool(limits.maxMutatingRequestsInflight);
  return (next) => async (call) => {
    if (isLongRunning(call)) return next(call);
    const pool = isReadOnly(call) ? reads : writes;
    if (!pool.tryTake()) {
      if (call.user?.groups.includes(SYSTEM_MASTERS)) return next(call);
      throw tooManyRequests();
    }
    // The slot is free again when the handler is done, or when the call is given up (its
    // deadline passed, its client left): upstream's handler returns then, its context done.
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      pool.give();
      call.signal.removeEventListener('abort', release);
    };
    call.signal.addEventListener('abort', release, { once: true });
    try {
      return await next(call);
    } finally {
      release();
    }
  };
}
