/**
 * The SDK informer against a real server: changes made over HTTP reach its cache and handlers
 * in order; a server restart is resumed without a lost or repeated event; a compaction past
 * its revision makes it re-list and converge.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { testClientset } from '../helpers/clientset.js';
import { eventuallyPasses } from '../helpers/eventually.js';
import { Informer, type Clientset } from '../../src/client/index.js';
import type { ConfigMap } from '../../gen/k8s/io/api/core/v1/config.js';

type Seen = { op: 'add' | 'update' | 'delete'; name: string; rv: string; data?: Record<string, string> };

function record(informer: Informer<ConfigMap>): Seen[] {
  const seen: Seen[] = [];
  informer.addEventHandler({
    onAdd: (o) => seen.push({ op: 'add', name: o.metadata?.name ?? '', rv: o.metadata?.resourceVersion ?? '', data: o.data }),
    onUpdate: (_old, o) => seen.push({ op: 'update', name: o.metadata?.name ?? '', rv: o.metadata?.resourceVersion ?? '', data: o.data }),
    onDelete: (o) => seen.push({ op: 'delete', name: o.metadata?.name ?? '', rv: o.metadata?.resourceVersion ?? '' }),
  });
  return seen;
}

async function http(s: TestServer, method: string, path: string, body?: unknown): Promise<any> {
  const r = await api(s.server, method, path, body);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('informer', () => {
  let dataDir: string;
  let s: TestServer;
  let cs: Clientset;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-informer-'));
    s = await startTestServer({ dataDir });
    cs = testClientset(s.server);
    await http(s, 'POST', '/api/v1/namespaces', { metadata: { name: 'inf' } });
  });
  after(async () => {
    cs.close();
    await s.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('changes over HTTP reach the cache and the handlers in order', async () => {
    const ac = new AbortController();
    const informer = new Informer(cs.coreV1.configMaps.in('inf'));
    const seen = record(informer);
    informer.start(ac.signal);
    await informer.waitForSync();
    assert.equal(informer.hasSynced(), true);
    assert.equal(seen.length, 0);
    const expected: Seen[] = [];
    const a = await http(s, 'POST', '/api/v1/namespaces/inf/configmaps', { metadata: { name: 'a' }, data: { v: '1' } });
    expected.push({ op: 'add', name: 'a', rv: a.metadata.resourceVersion, data: { v: '1' } });
    const b = await http(s, 'POST', '/api/v1/namespaces/inf/configmaps', { metadata: { name: 'b' }, data: { v: '1' } });
    expected.push({ op: 'add', name: 'b', rv: b.metadata.resourceVersion, data: { v: '1' } });
    const a2 = await http(s, 'PUT', '/api/v1/namespaces/inf/configmaps/a', { metadata: { name: 'a' }, data: { v: '2' } });
    expected.push({ op: 'update', name: 'a', rv: a2.metadata.resourceVersion, data: { v: '2' } });
    const bDel = await http(s, 'DELETE', '/api/v1/namespaces/inf/configmaps/b');
    await eventuallyPasses(() => assert.equal(seen.length, 4), 10_000);
    expected.push({ op: 'delete', name: 'b', rv: seen[3]?.rv ?? '' });
    assert.deepEqual(seen, expected);
    assert.equal(bDel.details?.name ?? bDel.metadata?.name, 'b');
    assert.deepEqual(informer.store.keys().sort(), ['inf/a']);
    assert.deepEqual(informer.lister().get('inf', 'a')?.data, { v: '2' });
    assert.equal(informer.lister().get('inf', 'b'), undefined);
    assert.ok(Number(seen[3]?.rv) > Number(a2.metadata.resourceVersion), 'the delete carries a newer revision');
    ac.abort();
  });

  test('a compaction past its revision makes it re-list and converge', async () => {
    let lists = 0;
    const base = cs.coreV1.configMaps.in('inf');
    const counted = { ...base, list: (o?: Parameters<typeof base.list>[0]) => (lists++, base.list(o)) };
    const informer = new Informer<ConfigMap>(counted);
    const seen = record(informer);
    let ac = new AbortController();
    const run = informer.run(ac.signal);
    await informer.waitForSync();
    assert.equal(lists, 1);
    const before = seen.length;
    ac.abort();
    await run;
    // While it is stopped: one object changes, one is deleted, one appears; then storage is compacted.
    await http(s, 'PUT', '/api/v1/namespaces/inf/configmaps/a', { metadata: { name: 'a' }, data: { v: '3' } });
    await http(s, 'POST', '/api/v1/namespaces/inf/configmaps', { metadata: { name: 'c' }, data: { v: '1' } });
    await http(s, 'POST', '/api/v1/namespaces/inf/configmaps', { metadata: { name: 'd' } });
    await http(s, 'DELETE', '/api/v1/namespaces/inf/configmaps/d');
    await s.server.storageBackend.compact(await s.server.storageBackend.currentRevision());
    ac = new AbortController();
    const rerun = informer.run(ac.signal);
    await eventuallyPasses(() => assert.equal(lists, 2, 'the watch from a compacted revision made it re-list'), 10_000);
    await eventuallyPasses(() => assert.deepEqual(informer.store.keys().sort(), ['inf/a', 'inf/c']), 10_000);
    const listed = await http(s, 'GET', '/api/v1/namespaces/inf/configmaps');
    assert.deepEqual(
      informer.store.list().map((o) => [o.metadata?.name, o.metadata?.resourceVersion, o.data]).sort(),
      listed.items.map((o: any) => [o.metadata.name, o.metadata.resourceVersion, o.data ?? {}]).sort(),
    );
    const delta = seen.slice(before).map((e) => `${e.op}:${e.name}`).sort();
    assert.deepEqual(delta, ['add:c', 'update:a'], 'the re-list reports what changed meanwhile, d never having been seen');
    ac.abort();
    await rerun;
  });

  test('a server restart is resumed without losing or repeating an event', async () => {
    const ac = new AbortController();
    const informer = new Informer(cs.coreV1.configMaps.in('inf'), { onError: () => undefined });
    const seen = record(informer);
    informer.start(ac.signal);
    await informer.waitForSync();
    const initial = seen.length;
    const x = await http(s, 'POST', '/api/v1/namespaces/inf/configmaps', { metadata: { name: 'x' }, data: { v: '1' } });
    await eventuallyPasses(() => assert.equal(seen.length, initial + 1), 10_000);
    const { port, grpcPort } = { port: s.server.httpPort, grpcPort: s.server.grpcPort };
    await s.server.close();
    s = await startTestServer({ dataDir, port, grpcPort });
    const x2 = await http(s, 'PUT', '/api/v1/namespaces/inf/configmaps/x', { metadata: { name: 'x' }, data: { v: '2' } });
    const y = await http(s, 'POST', '/api/v1/namespaces/inf/configmaps', { metadata: { name: 'y' }, data: { v: '1' } });
    await eventuallyPasses(() => assert.equal(seen.length, initial + 3), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(seen.slice(initial), [
      { op: 'add', name: 'x', rv: x.metadata.resourceVersion, data: { v: '1' } },
      { op: 'update', name: 'x', rv: x2.metadata.resourceVersion, data: { v: '2' } },
      { op: 'add', name: 'y', rv: y.metadata.resourceVersion, data: { v: '1' } },
    ]);
    assert.deepEqual(informer.lister().get('inf', 'x')?.data, { v: '2' });
    ac.abort();
  });
});
