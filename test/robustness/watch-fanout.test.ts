/**
 * Watch fan-out, as issue 8's acceptance states it:
 * - 1 000 HTTP watchers on one resource open exactly one backend watch (the cache's gauge on
 *   /metrics), each gets every event once and in order, and each event is serialized once
 *   for all of them (the encode counter on /metrics);
 * - 1 000 watches opened without a resourceVersion on a namespace of 40 ConfigMaps of about
 *   110 KB, over HTTP and over gRPC, each receive the initial state and then a live event;
 *   the initial state is encoded once per encoding, not once per watcher; /readyz answers
 *   200 all along.
 *
 * The clients run in this process beside the server, so they read cheaply: every watcher's
 * stream is hashed and counted, one watcher's is parsed in full, and all must equal it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { credentials, makeGenericClientConstructor, type Client, type ClientReadableStream } from '@grpc/grpc-js';
import { ConfigMapWatchEvent } from '../../gen/wheelhouse/core/v1/services.js';
import { ListRequest } from '../../gen/wheelhouse/meta/v1/requests.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const WATCHERS = 1000;
const debug = (what: string): void => {
  if (process.env.FANOUT_DEBUG) console.error(what, new Date().toISOString(), Math.round(process.memoryUsage().rss / 2 ** 20), 'MiB');
};
const BIG_OBJECTS = 40;
const BIG_VALUE = 'x'.repeat(110 * 1024);

let ts: TestServer;
let agent: http.Agent;

before(async () => {
  ts = await startTestServer();
  agent = new http.Agent({ keepAlive: false, maxSockets: WATCHERS * 2 });
});

after(async () => {
  agent.destroy();
  await ts.stop();
});

/** One JSON request on the agent. */
function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (data !== undefined) headers['content-type'] = 'application/json';
    const req = http.request({ host: '127.0.0.1', port: ts.server.httpPort, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function metrics(): Promise<string> {
  const res = await call('GET', '/metrics');
  assert.equal(res.status, 200);
  return res.body as string;
}

/** The value of one sample (0 when absent). */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const encodes = (text: string, encoding: string): number =>
  sample(text, 'apiserver_watch_cache_events_encoded_total', `group="",resource="configmaps",encoding="${encoding}"`);

/** Polls /readyz until stopped; every answer must be 200. */
function pollReadiness(): { stop(): Promise<{ polls: number; failures: string[] }> } {
  let running = true;
  let polls = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const res = await call('GET', '/readyz');
        polls++;
        if (res.status !== 200) failures.push(`${res.status} ${String(res.body)}`);
      } catch (err) {
        failures.push(String(err));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { polls, failures };
    },
  };
}

/**
 * One HTTP watch read cheaply: its body is hashed and its lines counted; `keep` keeps the
 * text too. Resolves `lines()` waiters as lines arrive; `close()` ends the request.
 */
interface HttpWatcher {
  status: Promise<number>;
  lines: number;
  digest(): string;
  text(): string;
  until(lines: number): Promise<void>;
  close(): void;
}

function httpWatch(path: string, keep: boolean): HttpWatcher {
  const hash = createHash('sha1');
  const kept: Buffer[] = [];
  let lines = 0;
  let waiters: Array<{ n: number; resolve: () => void; reject: (e: Error) => void }> = [];
  let failed: Error | undefined;
  let res: http.IncomingMessage | undefined;
  const fail = (err: Error): void => {
    failed = err;
    for (const w of waiters) w.reject(err);
    waiters = [];
  };
  const req = http.request({ host: '127.0.0.1', port: ts.server.httpPort, method: 'GET', path, headers: { accept: 'application/json' }, agent });
  const watcher: HttpWatcher = {
    status: new Promise((resolve, reject) => {
      req.on('response', (r) => {
        res = r;
        resolve(r.statusCode ?? 0);
        r.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          if (keep) kept.push(chunk);
          for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
          watcher.lines = lines;
          waiters = waiters.filter((w) => (lines >= w.n ? (w.resolve(), false) : true));
        });
        r.on('error', () => undefined);
        r.on('end', () => {
          if (waiters.length) fail(new Error(`watch ended after ${lines} lines`));
        });
      });
      req.on('error', (err) => {
        if (process.env.FANOUT_DEBUG) console.error('watch error', path, lines, res ? 'after response' : 'before response', err.message, new Date().toISOString());
        reject(err);
        fail(err);
      });
    }),
    lines: 0,
    digest: () => hash.copy().digest('hex'),
    text: () => Buffer.concat(kept).toString('utf8'),
    until(n) {
      if (lines >= n) return Promise.resolve();
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => waiters.push({ n, resolve, reject }));
    },
    close() {
      res?.destroy();
      req.destroy();
    },
  };
  req.end();
  return watcher;
}

/** A ConfigMap watch over gRPC whose replies stay bytes (decoded only where a test asks). */
const RawConfigMapWatch = makeGenericClientConstructor(
  {
    watch: {
      path: '/wheelhouse.core.v1.ConfigMapService/Watch',
      requestStream: false,
      responseStream: true,
      requestSerialize: (value: ListRequest): Buffer => Buffer.from(ListRequest.encode(value).finish()),
      requestDeserialize: (value: Buffer): ListRequest => ListRequest.decode(value),
      responseSerialize: (value: Buffer): Buffer => value,
      responseDeserialize: (value: Buffer): Buffer => value,
    },
  },
  'RawConfigMapWatch',
);

async function createConfigMap(namespace: string, name: string, data: Record<string, string>): Promise<any> {
  const res = await call('POST', `/api/v1/namespaces/${namespace}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function createNamespace(name: string): Promise<void> {
  const res = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

describe('watch fan-out', { timeout: 240_000 }, () => {
  test('1 000 HTTP watchers on one resource: one backend watch, every event once and in order, one encode per event', async () => {
    await createNamespace('fan');
    const list = await call('GET', '/api/v1/namespaces/fan/configmaps');
    const rv = list.body.metadata.resourceVersion as string;
    const before = await metrics();
    const watchers = Array.from({ length: WATCHERS }, (_, i) => httpWatch(`/api/v1/namespaces/fan/configmaps?watch=1&resourceVersion=${rv}`, i === 0));
    try {
      for (const status of await Promise.all(watchers.map((w) => w.status))) assert.equal(status, 200);
      // Writes: create, update, create, delete, update; every watcher must see exactly these, in order.
      const expected: Array<[string, string, string]> = [];
      const a = await createConfigMap('fan', 'a', { n: '0' });
      expected.push(['ADDED', 'a', a.metadata.resourceVersion]);
      const a1 = await call('PUT', '/api/v1/namespaces/fan/configmaps/a', { ...a, data: { n: '1' } });
      expected.push(['MODIFIED', 'a', a1.body.metadata.resourceVersion]);
      const b = await createConfigMap('fan', 'b', { n: '0' });
      expected.push(['ADDED', 'b', b.metadata.resourceVersion]);
      const gone = await call('DELETE', '/api/v1/namespaces/fan/configmaps/a');
      assert.equal(gone.status, 200);
      expected.push(['DELETED', 'a', '']);
      const b1 = await call('PUT', '/api/v1/namespaces/fan/configmaps/b', { ...b, data: { n: '1' } });
      expected.push(['MODIFIED', 'b', b1.body.metadata.resourceVersion]);

      await Promise.all(watchers.map((w) => w.until(expected.length)));
      // Nothing more arrives for anyone.
      await new Promise((r) => setTimeout(r, 300));
      const events = (watchers[0]?.text() ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string; resourceVersion: string } } });
      assert.deepEqual(
        events.map((e) => [e.type, e.object.metadata.name]),
        expected.map(([type, name]) => [type, name]),
      );
      for (const [i, [, , rvOf]] of expected.entries()) if (rvOf) assert.equal(events[i]?.object.metadata.resourceVersion, rvOf);
      const rvs = events.map((e) => BigInt(e.object.metadata.resourceVersion));
      for (let i = 1; i < rvs.length; i++) assert.ok((rvs[i] ?? 0n) > (rvs[i - 1] ?? 0n), 'events arrive in revision order');
      const digest = watchers[0]?.digest();
      for (const w of watchers) {
        assert.equal(w.lines, expected.length, 'every event once');
        assert.equal(w.digest(), digest, 'every watcher got the same bytes');
      }

      const afterWrites = await metrics();
      const sent = (text: string): number => sample(text, 'apiserver_watch_events_total', 'group="",version="v1",resource="configmaps"');
      assert.equal(sent(afterWrites) - sent(before), expected.length * WATCHERS, 'events dispatched: one per watcher per event');
      assert.equal(sample(afterWrites, 'apiserver_storage_backend_watches', 'group="",resource="configmaps"'), 1, 'one backend watch for every watcher');
      assert.equal(encodes(afterWrites, 'json') - encodes(before, 'json'), expected.length, 'one JSON encode per event');
    } finally {
      for (const w of watchers) w.close();
    }
  });

  test('1 000 watches without resourceVersion on 40 objects of 110 KB, over HTTP then gRPC: initial state and live events, encoded once per encoding, ready throughout', async () => {
    await createNamespace('storm');
    for (let i = 0; i < BIG_OBJECTS; i++) await createConfigMap('storm', `big-${String(i).padStart(2, '0')}`, { v: BIG_VALUE });
    const readiness = pollReadiness();
    try {
      // HTTP: 40 ADDED, then a live ADDED.
      const beforeHttp = await metrics();
      debug('http storm starts');
      const watchers = Array.from({ length: WATCHERS }, (_, i) => httpWatch('/api/v1/namespaces/storm/configmaps?watch=1', i === 0));
      try {
        for (const status of await Promise.all(watchers.map((w) => w.status))) assert.equal(status, 200);
        debug('http answered');
        await Promise.all(watchers.map((w) => w.until(BIG_OBJECTS)));
        debug('http initial state received');
        await createConfigMap('storm', 'live', { n: '0' });
        await Promise.all(watchers.map((w) => w.until(BIG_OBJECTS + 1)));
        const events = (watchers[0]?.text() ?? '')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string }; data: { v?: string } } });
        assert.deepEqual(
          events.map((e) => `${e.type} ${e.object.metadata.name}`),
          [...Array.from({ length: BIG_OBJECTS }, (_, i) => `ADDED big-${String(i).padStart(2, '0')}`), 'ADDED live'],
        );
        assert.equal(events[0]?.object.data.v, BIG_VALUE);
        const digest = watchers[0]?.digest();
        for (const w of watchers) {
          assert.equal(w.lines, BIG_OBJECTS + 1);
          assert.equal(w.digest(), digest, 'every watcher got the same bytes');
        }
      } finally {
        for (const w of watchers) w.close();
      }
      const afterHttp = await metrics();
      assert.equal(encodes(afterHttp, 'json') - encodes(beforeHttp, 'json'), BIG_OBJECTS + 1, 'the initial state and the live event encoded once for JSON');

      // gRPC: the 41 objects now stored, then a live MODIFIED; spread over a few channels.
      const channels: Client[] = Array.from({ length: 8 }, () => new RawConfigMapWatch(ts.server.grpcAddress, credentials.createInsecure()));
      const initial = BIG_OBJECTS + 1;
      interface RawStream {
        stream: ClientReadableStream<Buffer>;
        count: number;
        hash: ReturnType<typeof createHash>;
        kept: Buffer[];
        waiters: Array<{ n: number; resolve: () => void }>;
      }
      const streams: RawStream[] = [];
      const reached = (s: RawStream, n: number): Promise<void> =>
        s.count >= n ? Promise.resolve() : new Promise((resolve) => s.waiters.push({ n, resolve }));
      try {
        for (let i = 0; i < WATCHERS; i++) {
          const client = channels[i % channels.length] as Client & { watch(req: ListRequest): ClientReadableStream<Buffer> };
          const stream = client.watch(ListRequest.fromPartial({ namespace: 'storm' }));
          const s: RawStream = { stream, count: 0, hash: createHash('sha1'), kept: [], waiters: [] };
          stream.on('data', (message: Buffer) => {
            s.count++;
            s.hash.update(message);
            if (i === 0) s.kept.push(message);
            s.waiters = s.waiters.filter((w) => (s.count >= w.n ? (w.resolve(), false) : true));
          });
          stream.on('error', () => undefined);
          streams.push(s);
        }
        debug('grpc opened');
        await Promise.all(streams.map((s) => reached(s, initial)));
        debug('grpc initial state received');
        const live = await call('GET', '/api/v1/namespaces/storm/configmaps/live');
        const updated = await call('PUT', '/api/v1/namespaces/storm/configmaps/live', { ...live.body, data: { n: '1' } });
        assert.equal(updated.status, 200);
        await Promise.all(streams.map((s) => reached(s, initial + 1)));
        const decoded = (streams[0]?.kept ?? []).map((m) => ConfigMapWatchEvent.decode(m));
        assert.deepEqual(
          decoded.map((e) => `${e.type} ${e.object?.metadata?.name}`),
          [...Array.from({ length: BIG_OBJECTS }, (_, i) => `ADDED big-${String(i).padStart(2, '0')}`), 'ADDED live', 'MODIFIED live'],
        );
        assert.equal(decoded[0]?.object?.data?.['v'], BIG_VALUE);
        const digest = streams[0]?.hash.copy().digest('hex');
        for (const s of streams) {
          assert.equal(s.count, initial + 1);
          assert.equal(s.hash.copy().digest('hex'), digest, 'every watcher got the same messages');
        }
      } finally {
        for (const s of streams) s.stream.cancel();
        for (const c of channels) c.close();
      }
      debug('grpc done');
      const afterGrpc = await metrics();
      assert.equal(encodes(afterGrpc, 'grpc') - encodes(afterHttp, 'grpc'), initial + 1, 'the initial state and the live event encoded once for gRPC');
    } finally {
      const { polls, failures } = await readiness.stop();
      assert.deepEqual(failures, [], '/readyz answered 200 throughout');
      assert.ok(polls > 0);
    }
  });
});
