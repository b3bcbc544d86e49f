/** HTTP gateway: watch streams read incrementally (resourceVersion semantics, 410, bookmarks, selectors, watch-list, Table). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;
type WatchEvent = { type: string; object: Json };

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** An open watch read line by line as the server flushes it. */
interface WatchReader {
  status: number;
  headers: Headers;
  /** The next event, or undefined when the stream ended; rejects after `ms`. */
  next(ms?: number): Promise<WatchEvent | undefined>;
  /** Resolves true if nothing arrives within `ms`. */
  quiet(ms: number): Promise<boolean>;
  /** Raw lines seen so far (each exactly one JSON document). */
  lines: string[];
  close(): void;
}

async function openWatch(t: TestServer, path: string, headers: Record<string, string> = {}): Promise<WatchReader> {
  const abort = new AbortController();
  const res = await fetch(t.server.url + path, { headers: { accept: 'application/json', ...headers }, signal: abort.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  const lines: string[] = [];
  let pending: ReturnType<typeof reader.read> | undefined;
  const pull = async (ms: number): Promise<'data' | 'done' | 'timeout'> => {
    pending ??= reader.read();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), ms);
    });
    const got = await Promise.race([pending.then((x) => x), timeout]);
    clearTimeout(timer);
    if (got === 'timeout') return 'timeout';
    pending = undefined;
    if (got.done) {
      done = true;
      return 'done';
    }
    buffer += decoder.decode(got.value, { stream: true });
    return 'data';
  };
  const takeLine = (): WatchEvent | undefined => {
    const i = buffer.indexOf('\n');
    if (i < 0) return undefined;
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    lines.push(line);
    return JSON.parse(line) as WatchEvent;
  };
  return {
    status: res.status,
    headers: res.headers,
    lines,
    async next(ms = 3000) {
      const end = Date.now() + ms;
      for (;;) {
        const ev = takeLine();
        if (ev) return ev;
        if (done) {
          assert.equal(buffer, '', 'stream ended mid-line');
          return undefined;
        }
        const r = await pull(Math.max(1, end - Date.now()));
        if (r === 'timeout') throw new Error(`no watch event within ${ms} ms on ${path}`);
      }
    },
    async quiet(ms) {
      if (buffer.includes('\n')) return false;
      if (done) return true;
      return (await pull(ms)) === 'timeout' && !buffer.includes('\n');
    },
    close() {
      abort.abort();
    },
  };
}

const brief = (ev: WatchEvent | undefined): string => (ev ? `${ev.type} ${ev.object.metadata?.name ?? ''}` : 'END');

describe('HTTP API: watch', () => {
  let t: TestServer;
  const open: WatchReader[] = [];
  const watch = async (path: string, headers?: Record<string, string>): Promise<WatchReader> => {
    const w = await openWatch(t, path, headers);
    open.push(w);
    return w;
  };
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(t.server, method, path, body, headers);
  const mk = async (ns: string, name: string, labels: Record<string, string> = {}): Promise<Json> => {
    const r = await call('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name, labels } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const nsFor = async (name: string): Promise<string> => {
    assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name } })).status, 201);
    return `/api/v1/namespaces/${name}/configmaps`;
  };

  before(async () => {
    t = await startTestServer({ bookmarkIntervalMs: 200 });
  });
  after(async () => {
    for (const w of open) w.close();
    await t.stop();
  });

  for (const flag of ['true', 'True', '1']) {
    it(`starts a watch for watch=${flag}, sends current state as ADDED, then live events`, async () => {
      const base = await nsFor(`w-flag-${flag.toLowerCase() === 'true' ? flag === 'True' ? 'cap' : 'low' : 'one'}`);
      const ns = base.split('/')[4] as string;
      await mk(ns, 'pre');
      const w = await watch(`${base}?watch=${flag}`);
      assert.equal(w.status, 200);
      assert.equal(w.headers.get('content-type'), 'application/json');
      assert.equal(w.headers.get('content-encoding'), null);
      const first = await w.next();
      assert.equal(brief(first), 'ADDED pre');
      assert.equal(first?.object.kind, 'ConfigMap');
      assert.equal(first?.object.apiVersion, 'v1');
      const created = await mk(ns, 'live');
      const ev = await w.next();
      assert.equal(brief(ev), 'ADDED live');
      assert.equal(ev?.object.metadata.resourceVersion, created.metadata.resourceVersion);
      w.close();
    });
  }

  it('flushes events one by one as newline-delimited JSON, with MODIFIED and DELETED', async () => {
    const base = await nsFor('w-stream');
    const list = await call('GET', base);
    const w = await watch(`${base}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
    assert.equal(await w.quiet(200), true, 'nothing before the first change');
    await mk('w-stream', 'one');
    assert.equal(brief(await w.next()), 'ADDED one');
    assert.equal(await w.quiet(150), true);
    const p = await call('PATCH', `${base}/one`, { data: { k: 'v' } }, { 'content-type': 'application/merge-patch+json' });
    const mod = await w.next();
    assert.equal(brief(mod), 'MODIFIED one');
    assert.deepEqual(mod?.object.data, { k: 'v' });
    assert.equal(mod?.object.metadata.resourceVersion, p.body.metadata.resourceVersion);
    await call('DELETE', `${base}/one`);
    const del = await w.next();
    assert.equal(brief(del), 'DELETED one');
    assert.ok(Number(del?.object.metadata.resourceVersion) > Number(p.body.metadata.resourceVersion));
    for (const line of w.lines) assert.deepEqual(Object.keys(JSON.parse(line)).sort(), ['object', 'type']);
    w.close();
  });

  it('resourceVersion=0 sends current state then live; resourceVersion=N sends only changes after N', async () => {
    const base = await nsFor('w-rv');
    const a = await mk('w-rv', 'a');
    const b = await mk('w-rv', 'b');
    const zero = await watch(`${base}?watch=true&resourceVersion=0`);
    assert.deepEqual([brief(await zero.next()), brief(await zero.next())], ['ADDED a', 'ADDED b']);
    const fromA = await watch(`${base}?watch=true&resourceVersion=${a.metadata.resourceVersion}`);
    const ev = await fromA.next();
    assert.equal(brief(ev), 'ADDED b');
    assert.equal(ev?.object.metadata.resourceVersion, b.metadata.resourceVersion);
    await mk('w-rv', 'c');
    assert.equal(brief(await zero.next()), 'ADDED c');
    assert.equal(brief(await fromA.next()), 'ADDED c');
    zero.close();
    fromA.close();
  });

  it('answers a compacted resourceVersion with one ERROR 410 Expired event, then ends', async () => {
    const base = await nsFor('w-old');
    const a = await mk('w-old', 'a');
    await mk('w-old', 'b');
    const c = await mk('w-old', 'c');
    await t.server.backend.compact(Number(c.metadata.resourceVersion));
    const w = await watch(`${base}?watch=true&resourceVersion=${a.metadata.resourceVersion}`);
    assert.equal(w.status, 200);
    const ev = await w.next();
    assert.equal(ev?.type, 'ERROR');
    assert.deepEqual(Object.keys(ev!.object).sort(), ['apiVersion', 'code', 'kind', 'message', 'metadata', 'reason', 'status']);
    assert.equal(ev?.object.kind, 'Status');
    assert.equal(ev?.object.apiVersion, 'v1');
    assert.equal(ev?.object.status, 'Failure');
    assert.equal(ev?.object.reason, 'Expired');
    assert.equal(ev?.object.code, 410);
    assert.match(ev?.object.message, new RegExp(`^too old resource version: ${a.metadata.resourceVersion} \\(\\d+\\)$`));
    assert.equal(await w.next(), undefined);
  });

  it('ends the stream after timeoutSeconds', async () => {
    const base = await nsFor('w-timeout');
    const started = Date.now();
    const w = await watch(`${base}?watch=true&timeoutSeconds=1`);
    assert.equal(await w.next(3000), undefined);
    const took = Date.now() - started;
    assert.ok(took >= 900 && took < 2500, `ended after ${took} ms`);
  });

  it('sends BOOKMARK events with kind, apiVersion and resourceVersion only when allowed', async () => {
    const base = await nsFor('w-bookmark');
    const c = await mk('w-bookmark', 'a');
    const rv = c.metadata.resourceVersion;
    const w = await watch(`${base}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
    const ev = await w.next(2000);
    // At the watch's revision or later: the cache's progress may have moved past it.
    const at = ev?.object.metadata?.resourceVersion as string;
    assert.ok(Number(at) >= Number(rv), `bookmark at ${at}, watch from ${rv}`);
    assert.deepEqual(ev, { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: at } } });
    const plain = await watch(`${base}?watch=true&resourceVersion=${rv}`);
    assert.equal(await plain.quiet(600), true, 'no bookmarks unless allowWatchBookmarks');
    w.close();
    plain.close();
  });

  it('label-selector watches see ADDED on match and DELETED when an object stops matching', async () => {
    const base = await nsFor('w-label');
    await mk('w-label', 'x', { app: 'web' });
    await mk('w-label', 'y', { app: 'db' });
    const w = await watch(`${base}?watch=true&labelSelector=app%3Dweb`);
    assert.equal(brief(await w.next()), 'ADDED x');
    await call('PATCH', `${base}/y`, { metadata: { labels: { app: 'web' } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(brief(await w.next()), 'ADDED y');
    await call('PATCH', `${base}/x`, { metadata: { labels: { app: 'other' } } }, { 'content-type': 'application/merge-patch+json' });
    const gone = await w.next();
    assert.equal(brief(gone), 'DELETED x');
    assert.equal(gone?.object.metadata.labels.app, 'web', 'DELETED carries the last matching state');
    await call('PATCH', `${base}/x`, { data: { k: 'v' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(await w.quiet(200), true, 'non-matching changes are not sent');
    w.close();
  });

  it('watches a single object by fieldSelector=metadata.name', async () => {
    const base = await nsFor('w-name');
    await mk('w-name', 'target');
    await mk('w-name', 'other');
    const w = await watch(`${base}?watch=true&fieldSelector=metadata.name%3Dtarget&resourceVersion=0`);
    assert.equal(brief(await w.next()), 'ADDED target');
    await call('PATCH', `${base}/other`, { data: { a: '1' } }, { 'content-type': 'application/merge-patch+json' });
    await call('DELETE', `${base}/target`, { propagationPolicy: 'Background' });
    assert.equal(brief(await w.next()), 'DELETED target');
    w.close();
  });

  it('watches one object through its item path (?watch=true on …/NAME)', async () => {
    const base = await nsFor('w-item');
    await mk('w-item', 'me');
    await mk('w-item', 'you');
    const w = await watch(`${base}/me?watch=true`);
    assert.equal(brief(await w.next()), 'ADDED me');
    await call('PATCH', `${base}/you`, { data: { a: '1' } }, { 'content-type': 'application/merge-patch+json' });
    await call('PATCH', `${base}/me`, { data: { b: '2' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(brief(await w.next()), 'MODIFIED me');
    w.close();
  });

  it('400s a malformed resourceVersion or watch flag before streaming', async () => {
    const base = await nsFor('w-bad');
    const rv = await call('GET', `${base}?watch=true&resourceVersion=abc`);
    assert.equal(rv.status, 400);
    assert.deepEqual(rv.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
      reason: 'BadRequest',
      code: 400,
    });
    const flag = await call('GET', `${base}?watch=yes`);
    assert.equal(flag.status, 400);
    assert.equal(flag.body.message, 'invalid watch parameter: strconv.ParseBool: parsing "yes": invalid syntax');
    const off = await call('GET', `${base}?watch=false`);
    assert.equal(off.status, 200);
    assert.equal(off.body.kind, 'ConfigMapList');
  });

  it('watch-list: ADDED for current objects, an initial-events-end BOOKMARK, then live', async () => {
    const base = await nsFor('w-list');
    await mk('w-list', 'a');
    await mk('w-list', 'b');
    const w = await watch(`${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=30`);
    assert.deepEqual([brief(await w.next()), brief(await w.next())], ['ADDED a', 'ADDED b']);
    const mark = await w.next();
    assert.equal(mark?.type, 'BOOKMARK');
    assert.equal(mark?.object.kind, 'ConfigMap');
    assert.equal(mark?.object.apiVersion, 'v1');
    assert.deepEqual(mark?.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
    const list = await call('GET', base);
    assert.equal(mark?.object.metadata.resourceVersion, list.body.metadata.resourceVersion);
    await mk('w-list', 'c');
    let ev = await w.next();
    while (ev?.type === 'BOOKMARK') ev = await w.next();
    assert.equal(brief(ev), 'ADDED c');
    w.close();
  });

  it('watch-list requires allowWatchBookmarks and resourceVersionMatch=NotOlderThan', async () => {
    const base = await nsFor('w-list-bad');
    const r = await call('GET', `${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`);
    assert.equal(r.status, 422);
    assert.equal(r.body.message, 'ListOptions.meta.k8s.io "" is invalid: allowWatchBookmarks: Forbidden: sendInitialEvents is forbidden unless allowWatchBookmarks is true');
  });

  it('streams Table events with column definitions in the first event only', async () => {
    const base = await nsFor('w-table');
    await mk('w-table', 'a', { app: 'web' });
    const w = await watch(`${base}?watch=true&resourceVersion=0`, { accept: TABLE_ACCEPT });
    assert.equal(w.headers.get('content-type'), 'application/json');
    const first = await w.next();
    assert.equal(first?.type, 'ADDED');
    assert.equal(first?.object.kind, 'Table');
    assert.equal(first?.object.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(first?.object.columnDefinitions.map((c: Json) => c.name), ['Name', 'Data', 'Age']);
    assert.equal(first?.object.rows.length, 1);
    assert.equal(first?.object.rows[0].cells[0], 'a');
    assert.deepEqual(first?.object.rows[0].object.kind, 'PartialObjectMetadata');
    assert.deepEqual(first?.object.rows[0].object.metadata.labels, { app: 'web' });
    await mk('w-table', 'b');
    const second = await w.next();
    assert.equal(second?.type, 'ADDED');
    assert.deepEqual(second?.object.columnDefinitions, []);
    assert.equal(second?.object.rows[0].cells[0], 'b');
    w.close();
  });

  it('watches a namespaced resource across namespaces', async () => {
    await nsFor('w-all-1');
    await nsFor('w-all-2');
    const list = await call('GET', '/api/v1/configmaps');
    const w = await watch(`/api/v1/configmaps?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
    await mk('w-all-1', 'p');
    await mk('w-all-2', 'q');
    const got = [await w.next(), await w.next()].map((e) => `${e?.type} ${e?.object.metadata.namespace}/${e?.object.metadata.name}`);
    assert.deepEqual(got, ['ADDED w-all-1/p', 'ADDED w-all-2/q']);
    w.close();
  });
});
