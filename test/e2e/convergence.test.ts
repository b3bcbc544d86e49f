/**
 * Convergence of informer-style clients (test/helpers/informer.ts: raw HTTP, gRPC and
 * @kubernetes/client-node's informer) through what a real cluster goes through: etcd
 * compactions while they watch, etcd killed and restarted on the same data directory, the
 * API server restarted on the same store, and a chaos run of concurrent creates, updates,
 * deletes and compactions. After each, every client's store equals the server's final LIST
 * (names and resourceVersions), what each received per object went strictly forward, and
 * every acknowledged write was received — as its own event, or, when it fell between a
 * failed watch and the relist that replaced it, as that or a later state.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { ServerOptions } from '../../src/server/options.js';
import { findEtcd, startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { watchUntil } from '../helpers/watch.js';
import { clientNodeInformer, grpcInformer, httpInformer, missedWrites, objectKey, type AckedWrite, type InformerClient } from '../helpers/informer.js';
import { OPEN_ACCESS, grpcCredentials, seedTestPki } from '../helpers/server.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A server that can be stopped and started again on the same ports and store. */
class Restartable {
  server!: RunningServer;
  private constructor(private readonly options: Partial<ServerOptions>) {}

  static async start(options: Partial<ServerOptions>): Promise<Restartable> {
    const r = new Restartable(options);
    if (options.dataDir) await seedTestPki(options.dataDir);
    r.server = await startServer({ port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'fatal', bookmarkIntervalMs: 500, consistencyCheckIntervalMs: 1000, ...OPEN_ACCESS, ...options });
    return r;
  }

  url = (): string => this.server.url;

  /** Close, wait `downMs`, start again; resolves with how long closing and starting took. */
  async restart(downMs: number): Promise<{ closeMs: number; startMs: number }> {
    const { httpPort, grpcPort } = this.server;
    const t0 = Date.now();
    await this.server.close();
    const closeMs = Date.now() - t0;
    await sleep(downMs);
    const t1 = Date.now();
    this.server = await startServer({
      compactionIntervalSeconds: 0,
      logLevel: 'fatal',
      bookmarkIntervalMs: 500,
      consistencyCheckIntervalMs: 1000,
      ...OPEN_ACCESS,
      ...this.options,
      port: httpPort,
      grpcPort,
    });
    return { closeMs, startMs: Date.now() - t1 };
  }
}

async function createNamespace(base: string, name: string): Promise<void> {
  const res = await fetch(`${base}/api/v1/namespaces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ metadata: { name } }),
  });
  assert.equal(res.status, 201, await res.text());
}

/** The server's LIST of the namespace: key → resourceVersion. */
async function finalList(base: string, ns: string): Promise<Map<string, number>> {
  const res = await fetch(`${base}/api/v1/namespaces/${ns}/configmaps`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { items: Array<{ metadata: { namespace: string; name: string; resourceVersion: string } }> };
  return new Map(body.items.map((i) => [objectKey(i.metadata), Number(i.metadata.resourceVersion)]));
}

interface WriterOptions {
  ns: string;
  names: string[];
  deletes: boolean;
  until: () => boolean;
  acked: AckedWrite[];
  /** Pause between writes (ms). */
  pace?: number;
}

/**
 * Creates, merge-patches and (optionally) deletes the given names at random until `until()`;
 * every write the server acknowledges is recorded with the resourceVersion it answered.
 * Failures (a store or server that is down, a name another writer changed) are retried.
 */
async function writer(base: () => string, o: WriterOptions): Promise<number> {
  const exists = new Map<string, boolean>();
  let n = 0;
  let ok = 0;
  while (!o.until()) {
    const name = o.names[Math.floor(Math.random() * o.names.length)] as string;
    const key = `${o.ns}/${name}`;
    const path = `${base()}/api/v1/namespaces/${o.ns}/configmaps`;
    n++;
    try {
      let res: Response;
      if (!exists.get(name)) {
        res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name }, data: { n: String(n) } }) });
        if (res.status === 409) exists.set(name, true);
      } else if (o.deletes && Math.random() < 0.25) {
        res = await fetch(`${path}/${name}`, { method: 'DELETE' });
        if (res.status === 200 || res.status === 404) exists.set(name, false);
        await res.body?.cancel();
        if (res.status === 200) {
          o.acked.push({ key });
          ok++;
        }
        continue;
      } else {
        res = await fetch(`${path}/${name}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { n: String(n) } }) });
        if (res.status === 404) exists.set(name, false);
      }
      if (res.status === 200 || res.status === 201) {
        const obj = (await res.json()) as { metadata: { resourceVersion: string } };
        o.acked.push({ key, rv: Number(obj.metadata.resourceVersion) });
        exists.set(name, true);
        ok++;
      } else {
        await res.body?.cancel();
        await sleep(50);
      }
    } catch {
      await sleep(50); // the server is restarting
    }
    if (o.pace) await sleep(o.pace);
  }
  return ok;
}

/** Waits until every client is listed once. */
async function synced(clients: InformerClient[], ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (clients.some((c) => c.rec.lists === 0)) {
    if (Date.now() > deadline) assert.fail(`not synced: ${clients.filter((c) => c.rec.lists === 0).map((c) => c.rec.name)}`);
    await sleep(50);
  }
}

const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
const same = (a: Map<string, number>, b: Map<string, number>) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/**
 * Every client's store equals the final LIST (waiting for them to catch up), nothing went
 * backwards or repeated, and every acknowledged write reached every client.
 */
async function assertConverged(base: string, ns: string, clients: InformerClient[], acked: AckedWrite[], ms = 60_000): Promise<void> {
  const want = await finalList(base, ns);
  const deadline = Date.now() + ms;
  while (!clients.every((c) => same(c.snapshot(), want) && same(c.rec.store, want)) && Date.now() < deadline) await sleep(100);
  for (const c of clients) {
    assert.deepEqual(sorted(c.snapshot()), sorted(want), `${c.rec.name}'s store differs from the final LIST`);
    assert.deepEqual(sorted(c.rec.store), sorted(want), `${c.rec.name}'s recorded store differs from the final LIST`);
    assert.deepEqual(c.rec.violations, [], `${c.rec.name} received events out of order or twice`);
    assert.deepEqual(missedWrites(c.rec, acked), [], `${c.rec.name} missed acknowledged writes`);
  }
}

function summary(t: TestContext, clients: InformerClient[], acked: AckedWrite[]): void {
  const s = clients.map((c) => `${c.rec.name}: lists=${c.rec.lists} expired=${c.rec.expired} errors=${c.rec.errors} reconnects=${c.rec.reconnects} events=${c.rec.events}${c.rec.errorLog.length ? ` last errors ${JSON.stringify(c.rec.errorLog)}` : ''}`);
  t.diagnostic(`${acked.length} acknowledged writes; ${s.join('; ')}`);
}

/** The four kinds of client on one namespace; the raw HTTP one ends its watches every 2 s. */
function clientsFor(srv: Restartable, ns: string): InformerClient[] {
  return [
    httpInformer('http', srv.url, { namespace: ns, timeoutSeconds: 2 }),
    httpInformer('http-long', srv.url, { namespace: ns }),
    grpcInformer('grpc', srv.server.grpcAddress, { namespace: ns, timeoutSeconds: 3 }, grpcCredentials(srv.server)),
    clientNodeInformer('client-node', srv.server.kubeconfigPath, { namespace: ns }),
  ];
}

async function stopAll(clients: InformerClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.stop().catch(() => undefined)));
}

interface Checks {
  match: number;
  mismatch: number;
  error: number;
}

/**
 * `apiserver_storage_consistency_checks_total` summed by status over every resource (`all`)
 * and for core configmaps alone; undefined while the metric is not exposed.
 */
async function consistencyChecks(base: string): Promise<{ all: Checks; configmaps: Checks } | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith('apiserver_storage_consistency_checks_total{'));
  if (lines.length === 0) return undefined;
  const all: Checks = { match: 0, mismatch: 0, error: 0 };
  const configmaps: Checks = { match: 0, mismatch: 0, error: 0 };
  for (const line of lines) {
    const status = /status="(\w+)"/.exec(line)?.[1] as keyof Checks | undefined;
    if (!status || !(status in all)) continue;
    const n = Number(line.slice(line.lastIndexOf(' ') + 1));
    all[status] += n;
    if (line.includes('group=""') && line.includes('resource="configmaps"')) configmaps[status] += n;
  }
  return { all, configmaps };
}

/** Stops the running scenario's writers (called in `finally`, so a failed scenario leaves none behind). */
let stopWriters: () => void = () => undefined;

const etcdMissing = findEtcd() ? false : 'etcd binary not found';

describe('convergence of informer-style clients', { skip: etcdMissing }, () => {
  let etcd: EtcdInstance;
  let srv: Restartable;
  const dirs: string[] = [];

  before(async () => {
    etcd = await startEtcd();
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-convergence-'));
    dirs.push(dataDir);
    // A short watch-cache window, so a client that lags behind gets 410 from the cache too.
    srv = await Restartable.start({ dataDir, etcdServers: [etcd.endpoint], watchCacheTuning: { windowEvents: 50 } });
  });
  after(async () => {
    await srv?.server.close().catch(() => undefined);
    await etcd?.stop().catch(() => undefined);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const outer = () => srv;
  const tempDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'wheelhouse-convergence-'));
    dirs.push(d);
    return d;
  };

  // Compacts from outside, as kube-apiserver's compactor (and ours) does: at a revision of its
  // own write. At an arbitrary current revision that happens to be a delete, this machine's
  // etcd (3.4.23; fixed in 3.4.36 and 3.5.18) loses that delete for every watch opened at the
  // compaction revision (etcd-io/etcd#19179) — a client of the direct watch path then misses it.
  const compactNow = async (): Promise<number> => {
    const env = { env: { ...process.env, ETCDCTL_API: '3' } };
    const { stdout } = await run('etcdctl', ['--endpoints', etcd.endpoint, 'put', 'compact_rev_key', 'test', '-w', 'json'], env);
    const rev = Number((JSON.parse(stdout) as { header: { revision: number } }).header.revision);
    await run('etcdctl', ['--endpoints', etcd.endpoint, 'compact', String(rev)], env);
    return rev;
  };

  for (const cached of [true, false]) {
    it(`an etcd compaction while they watch (${cached ? 'watch cache' : 'no watch cache'}): a lagging client gets 410, re-lists, and all converge`, async (t) => {
      const ns = `conv-compaction-${cached ? 'cached' : 'uncached'}`;
      // The same etcd through a second server that reads from it directly.
      const srv = cached ? outer() : await Restartable.start({ dataDir: await tempDir(), etcdServers: [etcd.endpoint], watchCache: false });
      await createNamespace(srv.url(), ns);
      const clients = clientsFor(srv, ns);
      const lagger = httpInformer('lagger', srv.url, { namespace: ns });
      const all = [...clients, lagger];
      const acked: AckedWrite[] = [];
      try {
        await synced(all);
        let done = false;
        stopWriters = () => (done = true);
      stopWriters = () => (done = true);
        const names = Array.from({ length: 12 }, (_, i) => `cm-${i}`);
        const writers = [0, 1, 2].map((w) => writer(srv.url, { ns, names: names.filter((_, i) => i % 3 === w), deletes: true, until: () => done, acked, pace: 5 }));
        await sleep(600);
        lagger.pause();
        const lagFrom = lagger.rec.lastRv;
        const ackedAtPause = acked.length;
        let compacted = 0;
        // Lag behind by several compactions and more events than a watch cache's window holds.
        for (let i = 0; i < 3 || (acked.length - ackedAtPause < 150 && i < 30); i++) {
          await sleep(500);
          compacted = await compactNow();
        }
        assert.ok(compacted > lagFrom, 'compacted past the lagging client');
        lagger.resume();
        await sleep(800);
        done = true;
        await Promise.all(writers);
        await compactNow();
        await assertConverged(srv.url(), ns, all, acked);
        assert.ok(lagger.rec.expired >= 1, `the lagging client was never told 410 (lists=${lagger.rec.lists})`);
        assert.ok(lagger.rec.lists >= 2, 'the lagging client re-listed');
        summary(t, all, acked);
      } finally {
        stopWriters();
        await stopAll(all);
        if (!cached) await srv.server.close();
      }
    });
  }

  it('etcd killed and restarted on the same data directory mid-writes: every client reconnects and converges', async (t) => {
    const ns = 'conv-etcd-restart';
    await createNamespace(srv.url(), ns);
    const clients = clientsFor(srv, ns);
    const acked: AckedWrite[] = [];
    try {
      await synced(clients);
      let done = false;
      stopWriters = () => (done = true);
      const names = Array.from({ length: 9 }, (_, i) => `cm-${i}`);
      const writers = [0, 1, 2].map((w) => writer(srv.url, { ns, names: names.filter((_, i) => i % 3 === w), deletes: true, until: () => done, acked, pace: 5 }));
      await sleep(1000);
      const before = acked.length;
      await etcd.kill9();
      await sleep(1000);
      await etcd.restart();
      // Writes go through again once the server's client has reconnected.
      const deadline = Date.now() + 60_000;
      while (acked.length < before + 10 && Date.now() < deadline) await sleep(100);
      assert.ok(acked.length >= before + 10, 'writes resumed after etcd came back');
      done = true;
      await Promise.all(writers);
      await assertConverged(srv.url(), ns, clients, acked);
      summary(t, clients, acked);
    } finally {
      stopWriters();
      await stopAll(clients);
    }
  });

  it('the API server restarted on the same etcd mid-writes: every client reconnects to the new one and converges', async (t) => {
    const ns = 'conv-server-restart';
    await createNamespace(srv.url(), ns);
    const clients = clientsFor(srv, ns);
    const acked: AckedWrite[] = [];
    try {
      await synced(clients);
      let done = false;
      stopWriters = () => (done = true);
      const names = Array.from({ length: 9 }, (_, i) => `cm-${i}`);
      const writers = [0, 1, 2].map((w) => writer(srv.url, { ns, names: names.filter((_, i) => i % 3 === w), deletes: true, until: () => done, acked, pace: 5 }));
      await sleep(1000);
      const { closeMs, startMs } = await srv.restart(300);
      t.diagnostic(`restart: close took ${closeMs} ms, start ${startMs} ms`);
      const before = acked.length;
      const deadline = Date.now() + 60_000;
      while (acked.length < before + 10 && Date.now() < deadline) await sleep(100);
      assert.ok(acked.length >= before + 10, 'writes resumed on the new server');
      done = true;
      await Promise.all(writers);
      await assertConverged(srv.url(), ns, clients, acked);
      summary(t, clients, acked);
    } finally {
      stopWriters();
      await stopAll(clients);
    }
  });

  it('a chaos run of concurrent writes, deletes and compactions: the self-check reports no divergence and every client converges', async (t) => {
    const ns = 'conv-chaos';
    await createNamespace(srv.url(), ns);
    const clients = clientsFor(srv, ns);
    const acked: AckedWrite[] = [];
    try {
      await synced(clients);
      const checksBefore = await consistencyChecks(srv.url());
      let done = false;
      stopWriters = () => (done = true);
      // Writers share names, so they race each other's creates, updates and deletes.
      const names = Array.from({ length: 16 }, (_, i) => `cm-${i}`);
      const writers = [0, 1, 2, 3].map(() => writer(srv.url, { ns, names, deletes: true, until: () => done, acked }));
      const compactions = (async () => {
        while (!done) {
          await sleep(1000);
          // Keep a short history, as a busy cluster's compactor does.
          const rev = await srv.server.backend.currentRevision();
          if (rev > 20) await srv.server.backend.compact(rev - 20).catch(() => undefined);
        }
      })();
      await sleep(15_000);
      done = true;
      await Promise.all([...writers, compactions]);
      await assertConverged(srv.url(), ns, clients, acked);
      summary(t, clients, acked);
      if (!checksBefore) {
        t.diagnostic('apiserver_storage_consistency_checks_total is not exposed yet: self-check not asserted');
        return;
      }
      // At least one check after the run; none ever found the cache and store apart.
      const deadline = Date.now() + 15_000;
      let checks = await consistencyChecks(srv.url());
      while (checks && checks.configmaps.match <= checksBefore.configmaps.match && Date.now() < deadline) {
        await sleep(250);
        checks = await consistencyChecks(srv.url());
      }
      assert.ok(checks);
      t.diagnostic(`consistency checks before the run ${JSON.stringify(checksBefore)}, after ${JSON.stringify(checks)}`);
      assert.equal(checks.all.mismatch, 0, 'the self-check found a cache and the store apart');
      assert.ok(checks.configmaps.match > checksBefore.configmaps.match, `no self-check of configmaps matched after the run: ${JSON.stringify(checks)}`);
    } finally {
      stopWriters();
      await stopAll(clients);
    }
  });
});

describe('convergence on the embedded store', () => {
  let srv: Restartable;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-convergence-embedded-'));
    srv = await Restartable.start({ dataDir });
  });
  after(async () => {
    await srv?.server.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("a watch from a revision inside the cache's window replays only its own namespace's events", async () => {
    for (const ns of ['conv-replay-a', 'conv-replay-b']) await createNamespace(srv.url(), ns);
    const post = async (ns: string, name: string) => {
      const res = await fetch(`${srv.url()}/api/v1/namespaces/${ns}/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name } }) });
      assert.equal(res.status, 201);
      return ((await res.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    };
    const from = Number(await post('conv-replay-a', 'first')) ;
    await post('conv-replay-b', 'other');
    const last = await post('conv-replay-a', 'second');
    const events = await watchUntil(srv.server, `/api/v1/namespaces/conv-replay-a/configmaps?resourceVersion=${from}`, (evs) => evs.some((e) => e.object.metadata?.resourceVersion === last));
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata?.namespace, e.object.metadata?.name]), [['ADDED', 'conv-replay-a', 'second']]);
  });

  it('the API server restarted on the same data directory mid-writes, with compactions: every client converges', async (t) => {
    const ns = 'conv-embedded-restart';
    await createNamespace(srv.url(), ns);
    const clients = clientsFor(srv, ns);
    const acked: AckedWrite[] = [];
    try {
      await synced(clients);
      let done = false;
      stopWriters = () => (done = true);
      const names = Array.from({ length: 9 }, (_, i) => `cm-${i}`);
      const writers = [0, 1, 2].map((w) => writer(srv.url, { ns, names: names.filter((_, i) => i % 3 === w), deletes: true, until: () => done, acked, pace: 5 }));
      await sleep(800);
      await srv.server.backend.compact(await srv.server.backend.currentRevision());
      await sleep(400);
      const { closeMs, startMs } = await srv.restart(300);
      t.diagnostic(`restart: close took ${closeMs} ms, start ${startMs} ms`);
      const before = acked.length;
      const deadline = Date.now() + 60_000;
      while (acked.length < before + 10 && Date.now() < deadline) await sleep(100);
      assert.ok(acked.length >= before + 10, 'writes resumed on the new server');
      await srv.server.backend.compact(await srv.server.backend.currentRevision());
      await sleep(400);
      done = true;
      await Promise.all(writers);
      await assertConverged(srv.url(), ns, clients, acked);
      summary(t, clients, acked);
    } finally {
      stopWriters();
      await stopAll(clients);
    }
  });
});
