/**
 * gRPC watch events are serialized and framed once for every watcher: a grpc-js stream takes
 * a shared frame as it is (its serializer never runs for it), and the server's encode counter
 * on /metrics counts one gRPC encode per event and one per object of an initial state,
 * however many gRPC watchers there are, while each watcher gets every event intact.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ClientReadableStream,
  type ServerWritableStream,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import type { ConfigMap } from '../../gen/k8s/io/api/core/v1/config.js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { acceptSharedFrames, frameMessage, SharedFrame } from '../../src/transports/grpc/shared-frames.js';
import { api, startTestServer, type TestServer, grpcCredentials } from '../helpers/server.js';

describe('shared frames on a grpc-js stream', () => {
  it('writes a shared frame as it is and serializes anything else', async () => {
    let serialized = 0;
    const definition: ServiceDefinition = {
      stream: {
        path: '/test.Frames/Stream',
        requestStream: false,
        responseStream: true,
        requestSerialize: (v: Buffer) => v,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (v: unknown) => {
          serialized++;
          return Buffer.from(JSON.stringify(v));
        },
        responseDeserialize: (b: Buffer) => b,
        originalName: 'stream',
      },
    };
    let accepted: boolean | undefined;
    const server = new Server();
    server.addService(definition, {
      stream: (call: ServerWritableStream<Buffer, unknown>) => {
        accepted = acceptSharedFrames(call as ServerWritableStream<unknown, unknown>);
        const shared = new SharedFrame(frameMessage(Buffer.from('"shared"')));
        call.write(shared);
        call.write(shared);
        call.write({ plain: 1 });
        call.end();
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const Client = makeGenericClientConstructor(definition, 'Frames');
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as {
      stream(req: Buffer): ClientReadableStream<Buffer>;
      close(): void;
    };
    try {
      const received: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const s = client.stream(Buffer.alloc(0));
        s.on('data', (b: Buffer) => received.push(b.toString()));
        s.on('error', reject);
        s.on('end', () => resolve());
      });
      assert.equal(accepted, true, "grpc-js's server call takes shared frames");
      assert.deepEqual(received, ['"shared"', '"shared"', '{"plain":1}']);
      assert.equal(serialized, 1, 'only the plain message went through the serializer');
    } finally {
      client.close();
      server.forceShutdown();
    }
  });

  it('frames a message as gRPC does: uncompressed flag, big-endian length, the bytes', () => {
    const frame = frameMessage(new Uint8Array([7, 8, 9]));
    assert.deepEqual([...frame], [0, 0, 0, 0, 3, 7, 8, 9]);
    assert.deepEqual([...new SharedFrame(frame).message], [7, 8, 9]);
  });
});

describe('gRPC watch encodes on /metrics', () => {
  const WATCHERS = 12;
  const NS = 'grpc-frames';
  let ts: TestServer;
  let client: InstanceType<typeof ConfigMapServiceClient>;

  before(async () => {
    ts = await startTestServer();
    client = new ConfigMapServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
  });

  after(async () => {
    client.close();
    await ts.stop();
  });

  const sample = async (name: string, labels: string): Promise<number> => {
    const text = String((await api(ts.server, 'GET', '/metrics')).body);
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  const grpcEncodes = () => sample('apiserver_watch_cache_events_encoded_total', 'group="",resource="configmaps",encoding="grpc"');
  const eventsSent = () => sample('apiserver_watch_events_total', 'group="",version="v1",resource="configmaps"');

  it(`encodes an initial state once per object and each event once for ${WATCHERS} watchers`, async () => {
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
    for (const name of ['a', 'b', 'c']) {
      const res = await api(ts.server, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: name.repeat(1000) } });
      assert.equal(res.status, 201);
    }
    const encodesBefore = await grpcEncodes();
    const sentBefore = await eventsSent();

    type Seen = { type: string; name: string; value: string; rv: string };
    const watches = Array.from({ length: WATCHERS }, () => {
      const seen: Seen[] = [];
      const waiters: Array<{ n: number; resolve: () => void }> = [];
      const stream = client.watch({ namespace: NS }) as ClientReadableStream<{ type?: string; object?: ConfigMap }>;
      stream.on('data', (ev: { type?: string; object?: ConfigMap }) => {
        seen.push({ type: ev.type ?? '', name: ev.object?.metadata?.name ?? '', value: ev.object?.data?.['v'] ?? '', rv: ev.object?.metadata?.resourceVersion ?? '' });
        for (const w of waiters.splice(0)) if (seen.length >= w.n) w.resolve();
        else waiters.push(w);
      });
      stream.on('error', () => undefined);
      const until = (n: number): Promise<void> => (seen.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })));
      return { seen, until, stream };
    });
    try {
      await Promise.all(watches.map((w) => w.until(3)));
      assert.equal((await grpcEncodes()) - encodesBefore, 3, 'the initial state encoded once per object for every watcher');

      const created = await api(ts.server, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd' }, data: { v: 'new' } });
      assert.equal(created.status, 201);
      const updated = await api(ts.server, 'PUT', `/api/v1/namespaces/${NS}/configmaps/d`, { ...created.body, data: { v: 'changed' } });
      assert.equal(updated.status, 200);
      await Promise.all(watches.map((w) => w.until(5)));
      assert.equal((await grpcEncodes()) - encodesBefore, 5, 'each live event encoded once for every watcher');
      assert.equal((await eventsSent()) - sentBefore, 5 * WATCHERS, 'every event written to every watcher');

      const first = watches[0]!.seen;
      assert.deepEqual(
        first.map((e) => [e.type, e.name, e.value]),
        [
          ['ADDED', 'a', 'a'.repeat(1000)],
          ['ADDED', 'b', 'b'.repeat(1000)],
          ['ADDED', 'c', 'c'.repeat(1000)],
          ['ADDED', 'd', 'new'],
          ['MODIFIED', 'd', 'changed'],
        ],
      );
      assert.equal(first[3]?.rv, created.body.metadata.resourceVersion);
      assert.equal(first[4]?.rv, updated.body.metadata.resourceVersion);
      for (const w of watches) assert.deepEqual(w.seen, first);
    } finally {
      for (const w of watches) w.stream.cancel();
    }
  });
});
