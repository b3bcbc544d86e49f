/**
 * Large collections are safe on every store: a LIST of 20 000 Pods (over 20 MB as JSON)
 * succeeds whole and paged, over HTTP and gRPC, with the watch cache on and off, on the
 * embedded store and on a real etcd — while small requests running beside it keep
 * succeeding, and no request of the test answers 503.
 *
 * The Pods are seeded fast: a few through the HTTP API, the rest written straight to the
 * server's backend in the server's own storage encoding (copies of an HTTP-created Pod with
 * their own names and uids), so the test spends its time on the reads it is about.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { PodServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { protobufTypeLookup } from '../../src/server/storage-types.js';
import { PROTOBUF_MEDIA_TYPE } from '../../src/storage/media-type.js';
import { storageCodec } from '../../src/storage/storage-codec.js';
import { findEtcd, startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { api, startTestServer, type TestServer, grpcCredentials } from '../helpers/server.js';
import { toJson, unary } from '../parity/grpc-helpers.js';

const NS = 'big';
const SMALL_NS = 'small';
const PODS = 20_000;
const BY_HTTP = 50;
const PAGE = 500;
const PAD = 'p'.repeat(120);
const POD_LIST = 'k8s.io.api.core.v1.PodList';

const podName = (i: number) => `pod-${String(i).padStart(5, '0')}`;
const expectedNames = Array.from({ length: PODS }, (_, i) => podName(i));

function podBody(i: number): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName(i), labels: { app: 'big', shard: String(i % 10) }, annotations: { pad: PAD } },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
  };
}

/** Runs `fn` over 0..n-1 with `width` calls in flight. */
async function pool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        await fn(i);
      }
    }),
  );
}

/** One item of a Pod list, checked to be the whole Pod it should be. */
function checkItem(item: any, name: string): void {
  assert.equal(item.metadata?.name, name);
  assert.equal(item.metadata.namespace, NS);
  assert.match(item.metadata.resourceVersion, /^[1-9]\d*$/);
  assert.deepEqual(item.metadata.labels, { app: 'big', shard: String(Number(name.slice(4)) % 10) });
  assert.equal(item.metadata.annotations?.pad, PAD);
  assert.equal(item.spec?.containers?.[0]?.image, 'busybox:1.36');
}

/**
 * Small requests beside the big reads: GET a Pod, create a ConfigMap, LIST a few ConfigMaps,
 * over and over until stopped. Every answer is recorded.
 */
function backgroundTraffic(ts: TestServer): { stop(): Promise<{ count: number; failures: string[] }> } {
  let running = true;
  let count = 0;
  const failures: string[] = [];
  const record = (what: string, status: number, want: number, body: unknown) => {
    count++;
    if (status !== want) failures.push(`${what}: ${status} ${JSON.stringify(body).slice(0, 300)}`);
  };
  const workers = Array.from({ length: 2 }, async (_, w) => {
    let n = 0;
    while (running) {
      n++;
      const get = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/pods/${podName((w * 997 + n) % PODS)}`);
      record('GET pod', get.status, 200, get.body);
      const cm = await api(ts.server, 'POST', `/api/v1/namespaces/${SMALL_NS}/configmaps`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${randomUUID()}` },
        data: { n: String(n) },
      });
      record('POST configmap', cm.status, 201, cm.body);
      const list = await api(ts.server, 'GET', `/api/v1/namespaces/${SMALL_NS}/configmaps?limit=5`);
      record('LIST configmaps', list.status, 200, list.body);
      await new Promise((r) => setTimeout(r, 25));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      return { count, failures };
    },
  };
}

/** Seeds the namespaces and the Pods on a fresh server. */
async function seed(ts: TestServer): Promise<void> {
  for (const name of [NS, SMALL_NS]) {
    const r = await api(ts.server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  await pool(BY_HTTP, 16, async (i) => {
    const r = await api(ts.server, 'POST', `/api/v1/namespaces/${NS}/pods`, podBody(i));
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  // The rest: copies of a stored Pod, in the server's storage encoding, under the same keys.
  const codec = storageCodec({ mediaType: PROTOBUF_MEDIA_TYPE, protobufType: protobufTypeLookup(ts.server.scheme) });
  const templateKey = `/registry/pods/${NS}/${podName(0)}`;
  const stored = await ts.server.backend.get(templateKey);
  assert.ok(stored.kv, `no stored pod at ${templateKey}`);
  const template = codec.decode(stored.kv.value);
  await pool(PODS - BY_HTTP, 256, async (j) => {
    const i = BY_HTTP + j;
    const copy = structuredClone(template) as any;
    copy.metadata.name = podName(i);
    copy.metadata.uid = randomUUID();
    copy.metadata.labels = { app: 'big', shard: String(i % 10) };
    await ts.server.backend.create(`/registry/pods/${NS}/${podName(i)}`, codec.encode(copy));
  });
}

/** The LIST checks, run against one server while small requests run beside them. */
function listChecks(server: () => TestServer, label: string, grpc: boolean): void {
  it(`${label}: LIST whole (JSON) returns every Pod, over 20 MB, while small requests succeed`, async () => {
    const ts = server();
    const traffic = backgroundTraffic(ts);
    try {
      {
        const path = `/api/v1/namespaces/${NS}/pods`;
        const res = await fetch(`${ts.server.url}${path}`, { headers: { accept: 'application/json' } });
        const text = await res.text();
        assert.equal(res.status, 200, text.slice(0, 500));
        assert.ok(text.length > 20_000_000, `list is ${text.length} bytes`);
        const list = JSON.parse(text);
        assert.equal(list.kind, 'PodList');
        assert.equal(list.apiVersion, 'v1');
        assert.match(list.metadata.resourceVersion, /^[1-9]\d*$/);
        assert.equal(list.metadata.continue, undefined);
        assert.equal(list.items.length, PODS);
        for (const [i, item] of list.items.entries()) checkItem(item, expectedNames[i]!);
      }
      // A selector matching a tenth of them reads the same collection.
      const some = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/pods?labelSelector=shard%3D3`);
      assert.equal(some.status, 200);
      assert.deepEqual(
        some.body.items.map((p: any) => p.metadata.name),
        expectedNames.filter((_, i) => i % 10 === 3),
      );
      // Protobuf too.
      const pb = await fetch(`${ts.server.url}/api/v1/namespaces/${NS}/pods`, { headers: { accept: 'application/vnd.kubernetes.protobuf' } });
      const bytes = Buffer.from(await pb.arrayBuffer());
      assert.equal(pb.status, 200);
      assert.equal(pb.headers.get('content-type'), 'application/vnd.kubernetes.protobuf');
      assert.deepEqual([...bytes.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
      assert.ok(bytes.length > 10_000_000, `protobuf list is ${bytes.length} bytes`);
    } finally {
      const { count, failures } = await traffic.stop();
      assert.deepEqual(failures, []);
      assert.ok(count > 0);
    }
  });

  it(`${label}: LIST paged (limit=${PAGE} with continue) returns every Pod once, at one resourceVersion`, async () => {
    const ts = server();
    const traffic = backgroundTraffic(ts);
    try {
      const names: string[] = [];
      let token: string | undefined;
      let rv: string | undefined;
      let pages = 0;
      do {
        const q = `limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
        const r = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/pods?${q}`);
        assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
        pages++;
        rv ??= r.body.metadata.resourceVersion;
        assert.equal(r.body.metadata.resourceVersion, rv);
        assert.equal(r.body.items.length, PAGE);
        for (const item of r.body.items) {
          checkItem(item, expectedNames[names.length]!);
          names.push(item.metadata.name);
        }
        token = r.body.metadata.continue || undefined;
        if (token) assert.equal(r.body.metadata.remainingItemCount, PODS - names.length);
        else assert.equal(r.body.metadata.remainingItemCount, undefined);
      } while (token);
      assert.equal(pages, PODS / PAGE);
      assert.deepEqual(names, expectedNames);
    } finally {
      const { count, failures } = await traffic.stop();
      assert.deepEqual(failures, []);
      assert.ok(count > 0);
    }
  });

  if (grpc) {
    it(`${label}: LIST over gRPC returns every Pod whole to a client with a large receive limit`, async () => {
      const ts = server();
      const client = new PodServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server), { 'grpc.max_receive_message_length': -1 });
      try {
        const whole = toJson(POD_LIST, await unary((cb) => client.list({ namespace: NS }, cb))) as any;
        assert.equal(whole.items.length, PODS);
        for (const [i, item] of whole.items.entries()) checkItem(item, expectedNames[i]!);
      } finally {
        client.close();
      }
    });
  }
}

/** One store: seed once, check with the cache on, then again on a server with the cache off. */
function suite(store: 'embedded' | 'etcd'): void {
  describe(`large collections: ${store}`, { skip: store === 'etcd' && !findEtcd() ? 'no etcd binary' : false }, () => {
    let etcd: EtcdInstance | undefined;
    let dataDir: string | undefined;
    let cached: TestServer | undefined;
    let uncached: TestServer | undefined;

    before(async () => {
      if (store === 'etcd') etcd = await startEtcd();
      cached = await startTestServer(etcd ? { etcdServers: [etcd.endpoint] } : {});
      await seed(cached);
    });
    after(async () => {
      await cached?.stop();
      await uncached?.stop();
      await etcd?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    listChecks(() => cached!, `${store}, watch cache on`, true);

    describe('watch cache off', () => {
      before(async () => {
        // The same data on a second server that reads the store directly.
        if (store === 'embedded') {
          dataDir = cached!.dataDir;
          await cached!.server.close();
          cached = undefined;
          uncached = await startTestServer({ dataDir, watchCache: false });
        } else {
          uncached = await startTestServer({ etcdServers: [etcd!.endpoint], watchCache: false });
        }
      });
      listChecks(() => uncached!, `${store}, watch cache off`, false);
    });
  });
}

suite('embedded');
suite('etcd');
