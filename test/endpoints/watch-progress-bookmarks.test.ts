/**
 * Bookmarks carry the watch cache's progress, as kube-apiserver's do: a watch on a quiet
 * namespace of a busy resource gets BOOKMARKs at the resource's newer revisions, so after
 * the cache's window has moved past its last event it resumes from the bookmark instead of
 * being told 410 and re-listing. Without allowWatchBookmarks no BOOKMARK is sent at all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

interface WatchLine {
  type: string;
  object: { kind?: string; apiVersion?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> } };
}

/** A watch read as JSON lines; `until` waits for a line matching `pred`. */
async function openWatch(t: TestServer, path: string): Promise<{ status: number; lines: WatchLine[]; until(pred: (l: WatchLine) => boolean, ms: number): Promise<WatchLine>; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(t.server.url + path, { headers: { accept: 'application/json' }, signal: abort.signal });
  const lines: WatchLine[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buffer.slice(0, i)) as WatchLine);
          buffer = buffer.slice(i + 1);
        }
        wake?.();
      }
    } catch {
      /* aborted */
    }
    ended = true;
    wake?.();
  })();
  return {
    status: res.status,
    lines,
    async until(pred, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (ended) throw new Error(`watch ${path} ended without the line wanted: ${JSON.stringify(lines)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no such line within ${ms} ms on ${path}: ${JSON.stringify(lines)}`);
        await new Promise<void>((r) => {
          const timer = setTimeout(r, left);
          wake = () => {
            clearTimeout(timer);
            r();
          };
        });
      }
    },
    close: () => abort.abort(),
  };
}

describe('watch bookmarks carry the watch cache progress', () => {
  let t: TestServer;
  const base = (ns: string): string => `/api/v1/namespaces/${ns}/configmaps`;
  before(async () => {
    // A window of 20 events, bookmarks every 200 ms, progress told every 100 ms.
    t = await startTestServer({ bookmarkIntervalMs: 200, watchCacheTuning: { windowEvents: 20, progressIntervalMs: 100 } });
    for (const ns of ['quiet', 'busy']) assert.equal((await api(t.server, 'POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
  });
  after(async () => t.stop());

  it('a quiet watch resumes from a bookmark after the window moved past its last event', async () => {
    const first = await api(t.server, 'POST', base('quiet'), { metadata: { name: 'q1' } });
    assert.equal(first.status, 201);
    const from = first.body.metadata.resourceVersion as string;
    const w = await openWatch(t, `${base('quiet')}?watch=true&allowWatchBookmarks=true&resourceVersion=${from}`);
    const plain = await openWatch(t, `${base('quiet')}?watch=true&resourceVersion=${from}`);
    try {
      assert.equal(w.status, 200);
      let last = '';
      for (let i = 0; i < 40; i++) {
        const r = await api(t.server, 'POST', base('busy'), { metadata: { name: `b${i}` } });
        assert.equal(r.status, 201);
        last = r.body.metadata.resourceVersion as string;
      }
      const mark = await w.until((l) => l.type === 'BOOKMARK' && Number(l.object.metadata?.resourceVersion) >= Number(last), 5000);
      assert.deepEqual(mark.object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: mark.object.metadata!.resourceVersion } });
      // Bookmarks never go backwards and nothing from the busy namespace came through.
      const rvs = w.lines.map((l) => Number(l.object.metadata?.resourceVersion));
      assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b));
      assert.deepEqual(w.lines.filter((l) => l.type !== 'BOOKMARK'), []);
      assert.deepEqual(plain.lines, [], 'no BOOKMARK without allowWatchBookmarks');

      // The window (20 events) has moved past `from`: resuming there is 410, from the bookmark it is not.
      const stale = await openWatch(t, `${base('quiet')}?watch=true&resourceVersion=${from}`);
      const expired = await stale.until(() => true, 3000);
      assert.equal(expired.type, 'ERROR');
      assert.equal(expired.object.code, 410);
      assert.equal(expired.object.reason, 'Expired');
      stale.close();
      const resumed = await openWatch(t, `${base('quiet')}?watch=true&resourceVersion=${mark.object.metadata!.resourceVersion}`);
      try {
        assert.equal(resumed.status, 200);
        const next = await api(t.server, 'POST', base('quiet'), { metadata: { name: 'q2' } });
        assert.equal(next.status, 201);
        const got = await resumed.until(() => true, 3000);
        assert.equal(got.type, 'ADDED');
        assert.equal(got.object.metadata?.name, 'q2');
        assert.equal(got.object.metadata?.resourceVersion, next.body.metadata.resourceVersion);
      } finally {
        resumed.close();
      }
    } finally {
      w.close();
      plain.close();
    }
  });

  it('a watch-list still ends its initial events with the annotated BOOKMARK, then carries progress', async () => {
    const w = await openWatch(t, `${base('quiet')}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`);
    try {
      const end = await w.until((l) => l.type === 'BOOKMARK', 3000);
      assert.deepEqual(end.object.metadata?.annotations, { 'k8s.io/initial-events-end': 'true' });
      assert.deepEqual(
        w.lines.slice(0, w.lines.indexOf(end)).map((l) => `${l.type} ${l.object.metadata?.name}`),
        ['ADDED q1', 'ADDED q2'],
      );
      const busy = await api(t.server, 'POST', base('busy'), { metadata: { name: 'after-list' } });
      const rv = Number(busy.body.metadata.resourceVersion);
      const mark = await w.until((l) => l.type === 'BOOKMARK' && Number(l.object.metadata?.resourceVersion) >= rv, 5000);
      assert.equal(mark.object.metadata?.annotations, undefined);
    } finally {
      w.close();
    }
  });
});
