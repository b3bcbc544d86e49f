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
 * The clients run in this process beside the server, so they read cheaply: one watcher's
 * stream is parsed in full, and every other watcher's bytes are compared with it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';
import { ConfigMapWatchEvent } from '../../gen/wheelhouse/core/v1/services.js';
import { ListRequest } from '../../gen/wheelhouse/meta/v1/requests.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const WATCHERS = Number(process.env.FANOUT_WATCHERS ?? 1000);
const debug = (what: string): void => {
  if (process.env.FANOUT_DEBUG) console.error(what, new Date().toISOString(), Math.round(process.memoryUsage().rss / 2 ** 20), 'MiB');
};
const BIG_OBJECTS = 40;
const BIG_VALUE = 'x'.repeat(110 * 1024);

let ts: TestServer;
let agent: http.Agent;

before(async () => {
  // Plain HTTP: this measures the server's fan-out, not a thousand TLS handshakes on two cores.
  ts = await startTestServer({ plainHttp: true });
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
 * One watch read cheaply: its events are counted (JSON lines, or gRPC's length-prefixed
 * messages) and its bytes compared as they arrive with `reference` (what another watcher of
 * the same state received); bytes past the reference are kept (`tail()`).
 */
interface ByteWatch {
  /** The status of the HTTP response (gRPC: the HTTP/2 one). */
  status: Promise<number>;
  events: number;
  /** Where the bytes first differed from the reference, or -1. */
  mismatchAt: number;
  tail(): Buffer;
  until(events: number): Promise<void>;
  close(): void;
}

/** Counts complete events in a byte stream, chunk by chunk. */
type EventCounter = (chunk: Buffer) => number;

const jsonLines = (): EventCounter => (chunk) => {
  let n = 0;
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) n++;
  return n;
};

/** gRPC messages: a flag byte, a 4-byte big-endian length, the message. */
const grpcMessages = (): EventCounter => {
  const header = Buffer.alloc(5);
  let filled = 0;
  let left = 0;
  return (chunk) => {
    let n = 0;
    for (let i = 0; i < chunk.length; ) {
      if (left > 0) {
        const take = Math.min(left, chunk.length - i);
        i += take;
        left -= take;
        if (left === 0) n++;
        continue;
      }
      header[filled++] = chunk[i++] ?? 0;
      if (filled === 5) {
        filled = 0;
        left = header.readUInt32BE(1);
        if (left === 0) n++;
      }
    }
    return n;
  };
};

/** Splits gRPC's length-prefixed messages. */
function grpcFrames(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 5 <= bytes.length; ) {
    const len = bytes.readUInt32BE(at + 1);
    out.push(bytes.subarray(at + 5, at + 5 + len));
    at += 5 + len;
  }
  return out;
}

function byteWatch(
  source: { on(event: 'data', f: (chunk: Buffer) => void): unknown },
  count: EventCounter,
  reference: Buffer,
  ended: (fail: (err: Error) => void) => void,
): Omit<ByteWatch, 'status' | 'close'> {
  const kept: Buffer[] = [];
  let offset = 0;
  let waiters: Array<{ n: number; resolve: () => void; reject: (e: Error) => void }> = [];
  let failed: Error | undefined;
  const watch = {
    events: 0,
    mismatchAt: -1,
    tail: () => Buffer.concat(kept),
    until(n: number): Promise<void> {
      if (watch.events >= n) return Promise.resolve();
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => waiters.push({ n, resolve, reject }));
    },
  };
  source.on('data', (chunk: Buffer) => {
    const shared = Math.max(0, Math.min(chunk.length, reference.length - offset));
    if (shared > 0 && watch.mismatchAt < 0 && !chunk.subarray(0, shared).equals(reference.subarray(offset, offset + shared))) watch.mismatchAt = offset;
    if (shared < chunk.length) kept.push(chunk.subarray(shared));
    offset += chunk.length;
    watch.events += count(chunk);
    waiters = waiters.filter((w) => (watch.events >= w.n ? (w.resolve(), false) : true));
  });
  ended((err) => {
    failed = err;
    for (const w of waiters) w.reject(err);
    waiters = [];
  });
  return watch;
}

/** A JSON watch over HTTP. */
function httpWatch(path: string, reference: Buffer = Buffer.alloc(0)): ByteWatch {
  const req = http.request({ host: '127.0.0.1', port: ts.server.httpPort, method: 'GET', path, headers: { accept: 'application/json' }, agent });
  let res: http.IncomingMessage | undefined;
  let watch: Omit<ByteWatch, 'status' | 'close'> | undefined;
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (r) => {
      res = r;
      r.on('error', () => undefined);
      watch = byteWatch(r, jsonLines(), reference, (fail) => r.on('end', () => fail(new Error('watch ended'))));
      resolve(r.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.end();
  return {
    status,
    get events() {
      return watch?.events ?? 0;
    },
    get mismatchAt() {
      return watch?.mismatchAt ?? -1;
    },
    tail: () => watch?.tail() ?? Buffer.alloc(0),
    until: async (n) => {
      await status;
      return watch?.until(n);
    },
    close() {
      res?.destroy();
      req.destroy();
    },
  };
}

/**
 * A ConfigMap watch over gRPC, spoken with node:http2 directly (the server is grpc-js; a
 * grpc-js client would spend more on its own buffering than the server does serving).
 */
function grpcWatch(session: http2.ClientHttp2Session, namespace: string, reference: Buffer = Buffer.alloc(0)): ByteWatch {
  const message = ListRequest.encode(ListRequest.fromPartial({ namespace })).finish();
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  const stream = session.request({ ':method': 'POST', ':path': '/wheelhouse.core.v1.ConfigMapService/Watch', 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => undefined);
  const status = new Promise<number>((resolve) => stream.on('response', (headers) => resolve(Number(headers[':status']))));
  const watch = byteWatch(stream, grpcMessages(), reference, (fail) => stream.on('end', () => fail(new Error('watch ended'))));
  stream.end(frame);
  return {
    status,
    get events() {
      return watch.events;
    },
    get mismatchAt() {
      return watch.mismatchAt;
    },
    tail: watch.tail,
    until: watch.until,
    close: () => stream.close(http2.constants.NGHTTP2_CANCEL),
  };
}

const parseLines = (text: string): Array<{ type: string; object: { metadata: { name: string; resourceVersion: string }; data?: { v?: string } } }> =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

async function createConfigMap(namespace: string, name: string, data: Record<string, string>): Promise<any> {
  const res = await call('POST', `/api/v1/namespaces/${namespace}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function createNamespace(name: string): Promise<void> {
  const res = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

describe('watch fan-out', { timeout: 420_000 }, () => {
  test('1 000 HTTP watchers on one resource: one backend watch, every event once and in order, one encode per event', async () => {
    await createNamespace('fan');
    const list = await call('GET', '/api/v1/namespaces/fan/configmaps');
    const rv = list.body.metadata.resourceVersion as string;
    const before = await metrics();
    const watchers = Array.from({ length: WATCHERS }, () => httpWatch(`/api/v1/namespaces/fan/configmaps?watch=1&resourceVersion=${rv}`));
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
      const bytes = watchers[0]?.tail() ?? Buffer.alloc(0);
      const events = parseLines(bytes.toString('utf8'));
      assert.deepEqual(
        events.map((e) => [e.type, e.object.metadata.name]),
        expected.map(([type, name]) => [type, name]),
      );
      for (const [i, [, , rvOf]] of expected.entries()) if (rvOf) assert.equal(events[i]?.object.metadata.resourceVersion, rvOf);
      const rvs = events.map((e) => BigInt(e.object.metadata.resourceVersion));
      for (let i = 1; i < rvs.length; i++) assert.ok((rvs[i] ?? 0n) > (rvs[i - 1] ?? 0n), 'events arrive in revision order');
      for (const w of watchers) {
        assert.equal(w.events, expected.length, 'every event once');
        assert.ok(w.tail().equals(bytes), 'every watcher got the same bytes');
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
      // HTTP: 40 ADDED, then a live ADDED. What one watcher of this state receives first is
      // what all of them must receive; then the storm, all at once.
      const beforeHttp = await metrics();
      const path = '/api/v1/namespaces/storm/configmaps?watch=1';
      const first = httpWatch(path);
      await first.until(BIG_OBJECTS);
      first.close();
      const reference = first.tail();
      const initialEvents = parseLines(reference.toString('utf8'));
      assert.deepEqual(
        initialEvents.map((e) => `${e.type} ${e.object.metadata.name}`),
        Array.from({ length: BIG_OBJECTS }, (_, i) => `ADDED big-${String(i).padStart(2, '0')}`),
      );
      assert.equal(initialEvents[0]?.object.data?.v, BIG_VALUE);
      debug('http storm starts');
      const watchers = Array.from({ length: WATCHERS }, () => httpWatch(path, reference));
      try {
        for (const status of await Promise.all(watchers.map((w) => w.status))) assert.equal(status, 200);
        debug('http answered');
        await Promise.all(watchers.map((w) => w.until(BIG_OBJECTS)));
        debug('http initial state received');
        await createConfigMap('storm', 'live', { n: '0' });
        await Promise.all(watchers.map((w) => w.until(BIG_OBJECTS + 1)));
        const live = watchers[0]?.tail() ?? Buffer.alloc(0);
        assert.deepEqual(
          parseLines(live.toString('utf8')).map((e) => `${e.type} ${e.object.metadata.name}`),
          ['ADDED live'],
        );
        for (const w of watchers) {
          assert.equal(w.events, BIG_OBJECTS + 1);
          assert.equal(w.mismatchAt, -1, 'every watcher got the initial state as the first did');
          assert.ok(w.tail().equals(live), 'every watcher got the same live event');
        }
      } finally {
        for (const w of watchers) w.close();
      }
      const afterHttp = await metrics();
      assert.equal(encodes(afterHttp, 'json') - encodes(beforeHttp, 'json'), BIG_OBJECTS + 1, 'the initial state and the live event encoded once for JSON');

      // gRPC: the 41 objects now stored, then a live MODIFIED; over 16 connections with wide
      // flow-control windows (the clients share the server's event loop, so 64 KiB windows
      // would make this a test of round trips).
      const sessions = Array.from({ length: 16 }, () => {
        const session = http2.connect(`http://${ts.server.grpcAddress}`, { settings: { initialWindowSize: 16 * 2 ** 20 } });
        session.on('connect', () => session.setLocalWindowSize(256 * 2 ** 20));
        session.on('error', () => undefined);
        return session;
      });
      const initial = BIG_OBJECTS + 1;
      const streams: ByteWatch[] = [];
      try {
        const first = grpcWatch(sessions[0] as http2.ClientHttp2Session, 'storm');
        assert.equal(await first.status, 200);
        await first.until(initial);
        first.close();
        const reference = first.tail();
        assert.deepEqual(
          grpcFrames(reference)
            .map((m) => ConfigMapWatchEvent.decode(m))
            .map((e) => `${e.type} ${e.object?.metadata?.name}`),
          [...Array.from({ length: BIG_OBJECTS }, (_, i) => `ADDED big-${String(i).padStart(2, '0')}`), 'ADDED live'],
        );
        assert.equal(ConfigMapWatchEvent.decode(grpcFrames(reference)[0] ?? Buffer.alloc(0)).object?.data?.['v'], BIG_VALUE);
        for (let i = 0; i < WATCHERS; i++) streams.push(grpcWatch(sessions[i % sessions.length] as http2.ClientHttp2Session, 'storm', reference));
        debug('grpc opened');
        await Promise.all(streams.map((w) => w.until(initial)));
        debug('grpc initial state received');
        const live = await call('GET', '/api/v1/namespaces/storm/configmaps/live');
        const updated = await call('PUT', '/api/v1/namespaces/storm/configmaps/live', { ...live.body, data: { n: '1' } });
        assert.equal(updated.status, 200);
        await Promise.all(streams.map((w) => w.until(initial + 1)));
        const liveEvent = streams[0]?.tail() ?? Buffer.alloc(0);
        const decoded = grpcFrames(liveEvent).map((m) => ConfigMapWatchEvent.decode(m));
        assert.deepEqual(
          decoded.map((e) => `${e.type} ${e.object?.metadata?.name} ${e.object?.data?.['n']}`),
          ['MODIFIED live 1'],
        );
        for (const w of streams) {
          assert.equal(w.events, initial + 1);
          assert.equal(w.mismatchAt, -1, 'every watcher got the initial state as the first did');
          assert.ok(w.tail().equals(liveEvent), 'every watcher got the same live event');
        }
      } finally {
        for (const w of streams) w.close();
        for (const session of sessions) session.close();
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
