/**
 * The limit interceptors on their own (endpoints/limits/): the deadline answers 504 and aborts the
 * handler's signal, the client's shorter timeout wins, long-running calls have none; the in-flight
 * pools refuse with the plain-text 429 except for system:masters and free a slot when a call is
 * given up; the wait group refuses new calls with 503 once draining and waits for those running.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiCall, ApiHandler, ApiResult } from '../../src/endpoints/api-call.js';
import { createInflightLimiter } from '../../src/endpoints/limits/max-inflight.js';
import { requestDeadlineInterceptor } from '../../src/endpoints/limits/request-deadline.js';
import { createRequestWaitGroup } from '../../src/endpoints/limits/wait-group.js';
import { ApiError } from '../../src/machinery/errors/index.js';

const RESULT: ApiResult = { type: 'object', code: 200, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } };

function call(method: string, extra: Partial<ApiCall> = {}): ApiCall {
  return {
    action: { method, watch: false },
    group: '',
    version: 'v1',
    resource: 'configmaps',
    namespace: 'default',
    name: 'a',
    credentials: {},
    options: {},
    signal: new AbortController().signal,
    user: { name: 'alice', groups: ['system:authenticated'] },
    ...extra,
  };
}

/** A handler that answers only when told to, recording the signal it was given. */
function held(): { handler: ApiHandler; release: () => void; signals: AbortSignal[] } {
  const waiting: (() => void)[] = [];
  const signals: AbortSignal[] = [];
  return {
    handler: (c) => {
      signals.push(c.signal);
      return new Promise((resolve) => waiting.push(() => resolve(RESULT)));
    },
    release: () => {
      for (const go of waiting.splice(0)) go();
    },
    signals,
  };
}

describe('request deadline', () => {
  it('answers 504 at the timeout, aborts the handler signal and drops the late result', async () => {
    const h = held();
    const run = requestDeadlineInterceptor(150)(h.handler);
    const t0 = Date.now();
    await assert.rejects(run(call('GET')), (err: ApiError) => {
      assert.deepEqual(err.status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
        reason: 'Timeout',
        details: {},
        code: 504,
      });
      return true;
    });
    assert.ok(Date.now() - t0 >= 140);
    assert.equal(h.signals[0]?.aborted, true);
    h.release();
  });

  it('takes the client’s shorter timeout, never a longer one, and none for a watch', async () => {
    const h = held();
    const run = requestDeadlineInterceptor(400)(h.handler);
    let t0 = Date.now();
    await assert.rejects(run(call('GET', { timeoutMs: 100 })), { reason: 'Timeout' });
    assert.ok(Date.now() - t0 < 350, 'the client timeout was not taken');
    t0 = Date.now();
    await assert.rejects(run(call('GET', { timeoutMs: 60_000 })), { reason: 'Timeout' });
    assert.ok(Date.now() - t0 < 1000, 'a longer client timeout was taken');
    const watch = run(call('GET', { action: { method: 'GET', watch: true } }));
    await new Promise((r) => setTimeout(r, 500));
    h.release();
    assert.equal(await watch, RESULT);
  });

  it('passes the caller’s abort on to the handler', async () => {
    const h = held();
    const caller = new AbortController();
    const pending = requestDeadlineInterceptor(10_000)(h.handler)(call('GET', { signal: caller.signal }));
    caller.abort();
    assert.equal(h.signals[0]?.aborted, true);
    h.release();
    assert.equal(await pending, RESULT);
  });
});

describe('in-flight limits', () => {
  it('refuses beyond each pool with the plain-text 429, exempts system:masters and watches, and frees slots', async () => {
    const h = held();
    const limiter = createInflightLimiter({ maxRequestsInflight: 1, maxMutatingRequestsInflight: 1 });
    const run = limiter.interceptor(h.handler);
    const read = run(call('GET'));
    const write = run(call('POST', { name: undefined }));
    await assert.rejects(run(call('GET')), (err: ApiError) => {
      assert.equal(err.plainText, true);
      assert.deepEqual([err.code, err.reason, err.message, err.status.details?.retryAfterSeconds], [429, 'TooManyRequests', 'Too many requests, please try again later.', 1]);
      return true;
    });
    await assert.rejects(run(call('DELETE')), { reason: 'TooManyRequests' });
    const master = run(call('GET', { user: { name: 'admin', groups: ['system:masters'] } }));
    const watch = run(call('GET', { action: { method: 'GET', watch: true } }));
    assert.throws(() => limiter.admit(true, undefined), { reason: 'TooManyRequests' });
    h.release();
    for (const r of await Promise.all([read, write, master, watch])) assert.equal(r, RESULT);
    // A call given up (deadline, client gone) frees its slot before its handler ends.
    const abort = new AbortController();
    const abandoned = run(call('GET', { signal: abort.signal }));
    abort.abort();
    const next = run(call('GET'));
    h.release();
    assert.equal(await next, RESULT);
    assert.equal(await abandoned, RESULT);
    const give = limiter.admit(true, undefined);
    give();
    give();
    limiter.admit(true, undefined)();
  });
});

describe('wait group', () => {
  it('counts calls, refuses new ones with 503 once draining, and resolves when those running end', async () => {
    const h = held();
    const group = createRequestWaitGroup();
    const run = group.interceptor(h.handler);
    const running = run(call('GET'));
    assert.equal(group.inFlight, 1);
    let drained = false;
    const drain = group.drain(10_000).then(() => (drained = true));
    await assert.rejects(run(call('GET')), (err: ApiError) => {
      assert.deepEqual([err.code, err.reason, err.message, err.status.details?.retryAfterSeconds], [503, 'ServiceUnavailable', 'apiserver is shutting down', 1]);
      return true;
    });
    // The server's own calls and watches are neither refused nor waited for.
    const own = run(call('GET', { credentials: { inProcess: true } }));
    const watch = run(call('GET', { action: { method: 'GET', watch: true } }));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(drained, false);
    h.release();
    await drain;
    assert.equal(group.inFlight, 0);
    for (const r of await Promise.all([running, own, watch])) assert.equal(r, RESULT);
  });

  it('gives up waiting after the grace period', async () => {
    const h = held();
    const group = createRequestWaitGroup();
    void group.interceptor(h.handler)(call('GET'));
    const t0 = Date.now();
    await group.drain(100);
    assert.ok(Date.now() - t0 >= 90 && Date.now() - t0 < 1000);
    h.release();
  });
});
