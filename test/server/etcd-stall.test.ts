/**
 * Storage that stops answering (etcd SIGSTOPped): requests end at the request timeout with
 * upstream's 504 Timeout over HTTP and DEADLINE_EXCEEDED over gRPC, `?timeout=` shortens it,
 * /readyz reports etcd failed, and everything recovers after SIGCONT. The requests held open
 * meanwhile fill the in-flight limits: the next read or write is refused with upstream's 429
 * (plain text, Retry-After: 1; RESOURCE_EXHAUSTED over gRPC), and so is a discovery request,
 * while watches, health probes and system:masters are still served.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { api, grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { grpcFailure, unary } from '../parity/grpc-helpers.js';

const REQUEST_TIMEOUT_MS = 3000;
const CM = '/api/v1/namespaces/default/configmaps';
const TIMEOUT_STATUS = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
  reason: 'Timeout',
  details: {},
  code: 504,
};

let etcd: EtcdInstance;
let t: TestServer;
let grpc: ConfigMapServiceClient;
let admin: Record<string, string>;

before(async () => {
  etcd = await startEtcd();
  t = await startTestServer({
    etcdServers: [etcd.endpoint],
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    maxRequestsInflight: 2,
    maxMutatingRequestsInflight: 1,
  });
  admin = { authorization: `Bearer ${(await readFile(join(t.dataDir, 'admin-token'), 'utf8')).trim()}` };
  grpc = new ConfigMapServiceClient(t.server.grpcAddress, grpcCredentials(t.server, false));
  // Start-up's own writes (system:masters, never refused) may hold the one write slot a moment.
  let status = 429;
  for (let i = 0; i < 50 && status === 429; i++) {
    status = (await api(t.server, 'POST', CM, { metadata: { name: 'a' } })).status;
    if (status === 429) await sleep(100);
  }
  assert.equal(status, 201);
});

after(async () => {
  etcd.signal('SIGCONT');
  grpc.close();
  await t.stop();
  await etcd.stop();
});

/** A request's status, body text and headers, and how long it took. */
async function timed(path: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers; ms: number }> {
  const t0 = Date.now();
  const res = await fetch(t.server.url + path, { ...init, headers: { accept: 'application/json', 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, ms: Date.now() - t0 };
}

async function waitReady(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if ((await fetch(`${t.server.url}/readyz`)).status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail('/readyz did not recover after etcd resumed');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGSTOPs etcd, then lets what it sent before stopping arrive, so no answer in flight serves a request. */
async function freeze(): Promise<void> {
  etcd.signal('SIGSTOP');
  await sleep(300);
}

describe('with etcd frozen', () => {
  it('a consistent GET and a create answer 504 within the request timeout, /readyz fails, and both recover after SIGCONT', async () => {
    await freeze();
    try {
      const [get, create] = await Promise.all([
        timed(`${CM}/a`),
        timed(CM, { method: 'POST', body: JSON.stringify({ metadata: { name: 'during-stall' } }) }),
      ]);
      for (const [what, r] of [['GET', get], ['create', create]] as const) {
        assert.equal(r.status, 504, `${what}: ${r.text}`);
        assert.deepEqual(JSON.parse(r.text), TIMEOUT_STATUS, what);
        assert.ok(r.ms >= REQUEST_TIMEOUT_MS - 100 && r.ms < REQUEST_TIMEOUT_MS + 1500, `${what} answered after ${r.ms} ms`);
      }
      const ready = await fetch(`${t.server.url}/readyz`);
      assert.equal(ready.status, 500);
      assert.match(await ready.text(), /^\[\+\]ping ok\n\[\+\]log ok\n\[-\]etcd failed: reason withheld\n/);
    } finally {
      etcd.signal('SIGCONT');
    }
    await waitReady();
    const get = await api(t.server, 'GET', `${CM}/a`);
    assert.equal(get.status, 200);
    assert.equal(get.body.metadata.name, 'a');
    assert.equal((await api(t.server, 'POST', CM, { metadata: { name: 'after-stall' } })).status, 201);
  });

  it('?timeout= shortens the deadline, and a malformed one is a 400', async () => {
    const bad = await api(t.server, 'GET', `${CM}/a?timeout=soon`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'invalid timeout specified in the request URL - time: invalid duration "soon"');
    assert.equal(bad.body.reason, 'BadRequest');
    await freeze();
    try {
      const short = await timed(`${CM}/a?timeout=800ms`);
      assert.equal(short.status, 504);
      assert.deepEqual(JSON.parse(short.text), TIMEOUT_STATUS);
      assert.ok(short.ms >= 700 && short.ms < 2000, `answered after ${short.ms} ms`);
      // A longer one than the server's is held to the server's.
      const long = await timed(`${CM}/a?timeout=10m`);
      assert.equal(long.status, 504);
      assert.ok(long.ms < REQUEST_TIMEOUT_MS + 1500, `answered after ${long.ms} ms`);
    } finally {
      etcd.signal('SIGCONT');
    }
    await waitReady();
  });

  it('gRPC: the server’s timeout ends a call without a deadline with DEADLINE_EXCEEDED and the Status; a client deadline ends it sooner', async () => {
    await freeze();
    try {
      const t0 = Date.now();
      const failure = await grpcFailure(() => unary((cb) => grpc.get({ namespace: 'default', name: 'a' }, cb)));
      const ms = Date.now() - t0;
      assert.equal(failure.grpcCode, GrpcStatus.DEADLINE_EXCEEDED);
      assert.equal(failure.status.reason, 'Timeout');
      assert.equal(failure.status.code, 504);
      assert.equal(failure.status.message, TIMEOUT_STATUS.message);
      assert.ok(ms >= REQUEST_TIMEOUT_MS - 100 && ms < REQUEST_TIMEOUT_MS + 1500, `answered after ${ms} ms`);

      // A client's shorter deadline ends the call then.
      const t1 = Date.now();
      const short = await grpcFailure(() => unary((cb) => grpc.get({ namespace: 'default', name: 'a' }, new Metadata(), { deadline: Date.now() + 800 }, cb)));
      const shortMs = Date.now() - t1;
      assert.equal(short.grpcCode, GrpcStatus.DEADLINE_EXCEEDED);
      assert.ok(shortMs >= 700 && shortMs < 2000, `answered after ${shortMs} ms`);
    } finally {
      etcd.signal('SIGCONT');
    }
    await waitReady();
  });

  it('held requests fill the in-flight limits: the next read or write gets 429, watches and system:masters are served', async () => {
    await freeze();
    try {
      // Two reads and one write take every slot until the request timeout frees them.
      const held = [timed(`${CM}/a`), timed(`${CM}/a`), timed(CM, { method: 'POST', body: JSON.stringify({ metadata: { name: 'held' } }) })];
      await sleep(300);
      const read = await timed(`${CM}/a`);
      assert.equal(read.status, 429);
      assert.equal(read.text, 'Too many requests, please try again later.\n');
      assert.equal(read.headers.get('retry-after'), '1');
      assert.equal(read.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.ok(read.ms < 1000, `the refusal took ${read.ms} ms`);
      const write = await timed(CM, { method: 'POST', body: JSON.stringify({ metadata: { name: 'refused' } }) });
      assert.equal(write.status, 429);
      assert.equal(write.text, 'Too many requests, please try again later.\n');

      // Non-resource requests share the pools; health probes take no slot.
      const discovery = await timed('/apis');
      assert.equal(discovery.status, 429);
      assert.equal(discovery.text, 'Too many requests, please try again later.\n');
      assert.equal(discovery.headers.get('retry-after'), '1');
      const probe = await timed('/livez?exclude=etcd');
      assert.deepEqual([probe.status, probe.text], [200, 'ok']);

      const failure = await grpcFailure(() => unary((cb) => grpc.get({ namespace: 'default', name: 'a' }, cb)));
      assert.equal(failure.grpcCode, GrpcStatus.RESOURCE_EXHAUSTED);
      assert.deepEqual(
        { reason: failure.status.reason, code: failure.status.code, message: failure.status.message, retry: failure.status.details?.retryAfterSeconds },
        { reason: 'TooManyRequests', code: 429, message: 'Too many requests, please try again later.', retry: 1 },
      );

      // A watch takes no slot: its headers come at once.
      const watchAbort = new AbortController();
      const watch = await fetch(`${t.server.url}${CM}?watch=true&resourceVersion=0`, { signal: watchAbort.signal });
      assert.equal(watch.status, 200);
      watchAbort.abort();
      // system:masters is never refused: it waits for storage like the held ones.
      const master = await timed(`${CM}/a`, { headers: admin });
      assert.equal(master.status, 504, master.text);

      for (const r of await Promise.all(held)) assert.equal(r.status, 504, r.text);
    } finally {
      etcd.signal('SIGCONT');
    }
    await waitReady();
    // The slots came back.
    for (let i = 0; i < 3; i++) assert.equal((await api(t.server, 'GET', `${CM}/a`)).status, 200);
  });
});
