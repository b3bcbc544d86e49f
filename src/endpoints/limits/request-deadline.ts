/**
 * `--request-timeout`, as upstream's WithRequestDeadline and WithTimeoutForNonLongRunningRequests:
 * every call but a long-running one has a deadline — the server's request timeout, or the
 * client's shorter one (`?timeout=`, the gRPC deadline). When it passes, the call's signal is
 * aborted and the caller gets upstream's 504 Timeout at once, whether or not the handler
 * (storage that does not answer) is done; whatever the handler produces later is dropped.
 */
import { ApiError } from '../../machinery/errors/index.js';
import type { ApiResult, Interceptor } from '../api-call.js';
import { isLongRunning } from './long-running.js';

/** Upstream's answer for a call that outlived its deadline (the finisher's wording). */
export function requestTimedOut(): ApiError {
  return new ApiError('Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', {});
}

/** The deadline interceptor; `requestTimeoutMs` 0 disables the server's limit (the client's still applies). */
export function requestDeadlineInterceptor(requestTimeoutMs: number): Interceptor {
  return (next) => (call) => {
    if (isLongRunning(call)) return next(call);
    const client = call.timeoutMs !== undefined && call.timeoutMs > 0 ? call.timeoutMs : undefined;
    const timeoutMs = client !== undefined && (requestTimeoutMs <= 0 || client < requestTimeoutMs) ? client : requestTimeoutMs;
    if (timeoutMs <= 0) return next(call);
    // The handler's signal: the caller's, and the deadline (a listener is cheaper than AbortSignal.any).
    const deadline = new AbortController();
    const forward = (): void => deadline.abort(call.signal.reason);
    if (call.signal.aborted) forward();
    else call.signal.addEventListener('abort', forward, { once: true });
    const handled = next({ ...call, signal: deadline.signal });
    return new Promise<ApiResult>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        call.signal.removeEventListener('abort', forward);
        return true;
      };
      const timer = setTimeout(() => {
        if (!settle()) return;
        const err = requestTimedOut();
        deadline.abort(err);
        reject(err);
      }, timeoutMs);
      handled.then(
        (result) => {
          if (settle()) resolve(result);
        },
        (err: unknown) => {
          if (settle()) reject(err);
        },
      );
    });
  };
}
