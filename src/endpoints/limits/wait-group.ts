/**
 * The calls a graceful shutdown waits for, as upstream's WithWaitGroup: every call but a
 * long-running one is counted while its handler runs. Once draining starts, a new call is
 * answered 503 `apiserver is shutting down` (Retry-After: 1: another server can take it),
 * and `drain` resolves when the counted calls are done or the grace period is over.
 */
import { ApiError } from '../../machinery/errors/index.js';
import type { Interceptor } from '../api-call.js';
import { isLongRunning } from './long-running.js';

export interface RequestWaitGroup {
  interceptor: Interceptor;
  /** Calls being handled now. */
  readonly inFlight: number;
  /** Refuses new calls from now on; resolves when none is in progress, or after `graceMs`. */
  drain(graceMs: number): Promise<void>;
}

/** Upstream's answer to a call arriving during shutdown. */
export function shuttingDown(): ApiError {
  return new ApiError('ServiceUnavailable', 'apiserver is shutting down', { retryAfterSeconds: 1 });
}

export function createRequestWaitGroup(): RequestWaitGroup {
  let inFlight = 0;
  let draining = false;
  const idle: (() => void)[] = [];
  const done = (): void => {
    inFlight--;
    if (inFlight === 0) for (const wake of idle.splice(0)) wake();
  };
  return {
    get inFlight() {
      return inFlight;
    },
    interceptor: (next) => async (call) => {
      // The server's own calls (controllers, through the loopback client) run until they are stopped.
      if (isLongRunning(call) || call.credentials.inProcess) return next(call);
      if (draining) throw shuttingDown();
      inFlight++;
      try {
        return await next(call);
      } finally {
        done();
      }
    },
    drain(graceMs) {
      draining = true;
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
