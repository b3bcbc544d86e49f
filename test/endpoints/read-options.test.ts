/**
 * Reads as upstream: get and list with resourceVersion ("", "0", exact values) and
 * resourceVersionMatch, a list at an old revision, revisions the store has not reached
 * (504 "Too large resource version"), compacted and malformed continue tokens. Run on the
 * embedded store and on a real etcd.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
  'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
  'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

const status = (code: number, reason: string, message: string, extra: Json = {}): Json => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
  ...extra,
});

const tooLarge = (requested: string | number, current: string | number, retryAfterSeconds?: number): Json =>
  status(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    details: {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
    },
  });

const token = (json: unknown): string => Buffer.from(JSON.stringify(json)).toString('base64url');

for (const backend of ['embedded', 'etcd'] as const) {
  describe(`reads with resourceVersion and continue (${backend} store)`, () => {
    let t: TestServer;
    let etcd: EtcdInstance | undefined;
    const get = (path: string) => api(t.server, 'GET', path);
    const post = async (path: string, body: unknown): Promise<Json> => {
      const r = await api(t.server, 'POST', path, body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const CM = '/api/v1/namespaces/reads/configmaps';
    const names = (body: Json): string[] => body.items.map((i: Json) => i.metadata.name);
    const current = async (): Promise<string> => (await get('/api/v1/namespaces/reads/configmaps?limit=1')).body.metadata.resourceVersion;

    before(async () => {
      if (backend === 'etcd') etcd = await startEtcd();
      t = await startTestServer(etcd ? { etcdServers: [etcd.endpoint] } : {});
      await post('/api/v1/namespaces', { metadata: { name: 'reads' } });
    });
    after(async () => {
      await t.stop();
      await etcd?.stop();
    });

    it('lists the collection as it was at an exact old revision (Exact, and a limit without a match)', async () => {
      const a = await post(CM, { metadata: { name: 'old-a' }, data: { v: '1' } });
      const atA = a.metadata.resourceVersion;
      await post(CM, { metadata: { name: 'old-b' } });
      const changed = await api(t.server, 'PUT', `${CM}/old-a`, { ...a, data: { v: '2' } });
      assert.equal(changed.status, 200);

      const exact = await get(`${CM}?resourceVersion=${atA}&resourceVersionMatch=Exact`);
      assert.equal(exact.status, 200);
      assert.equal(exact.body.metadata.resourceVersion, atA);
      assert.deepEqual(names(exact.body), ['old-a']);
      assert.deepEqual(exact.body.items[0].data, { v: '1' });
      assert.equal(exact.body.items[0].metadata.resourceVersion, atA);

      const legacy = await get(`${CM}?resourceVersion=${atA}&limit=10`);
      assert.equal(legacy.status, 200);
      assert.equal(legacy.body.metadata.resourceVersion, atA);
      assert.deepEqual(legacy.body.items.map((i: Json) => i.data), [{ v: '1' }]);

      // Not older than: the latest state, at a revision no older than the one asked for.
      const notOlder = await get(`${CM}?resourceVersion=${atA}&resourceVersionMatch=NotOlderThan`);
      assert.equal(notOlder.status, 200);
      assert.deepEqual(names(notOlder.body), ['old-a', 'old-b']);
      assert.deepEqual(notOlder.body.items[0].data, { v: '2' });
      assert.ok(Number(notOlder.body.metadata.resourceVersion) >= Number(changed.body.metadata.resourceVersion));
      const plain = await get(`${CM}?resourceVersion=${atA}`);
      assert.deepEqual(plain.body.items.find((i: Json) => i.metadata.name === 'old-a').data, { v: '2' });
      const any = await get(`${CM}?resourceVersion=0`);
      assert.deepEqual(names(any.body), ['old-a', 'old-b']);
    });

    it('gets the latest object whatever resourceVersion not newer than the store is named', async () => {
      const c = await post(CM, { metadata: { name: 'get-rv' }, data: { v: '1' } });
      const updated = await api(t.server, 'PUT', `${CM}/get-rv`, { ...c, data: { v: '2' } });
      for (const rv of ['', '0', c.metadata.resourceVersion, updated.body.metadata.resourceVersion]) {
        const r = await get(`${CM}/get-rv?resourceVersion=${rv}`);
        assert.equal(r.status, 200, rv);
        assert.deepEqual(r.body.data, { v: '2' }, rv);
        assert.equal(r.body.metadata.resourceVersion, updated.body.metadata.resourceVersion, rv);
      }
      const bad = await get(`${CM}/get-rv?resourceVersion=-1`);
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, status(400, 'BadRequest', 'resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax'));
      const huge = await get(`${CM}?resourceVersion=18446744073709551616`);
      assert.deepEqual(
        huge.body,
        status(400, 'BadRequest', 'invalid resource version: resourceVersion: Invalid value: "18446744073709551616": strconv.ParseUint: parsing "18446744073709551616": value out of range'),
      );
    });

    it('504s a list pinned to a revision the store has not reached, at once and without a retry hint', async () => {
      const now = await current();
      const future = Number(now) + 1000;
      for (const q of [`resourceVersion=${future}&resourceVersionMatch=Exact`, `resourceVersion=${future}&limit=5`]) {
        const started = Date.now();
        const r = await get(`${CM}?${q}`);
        const after = await current();
        assert.equal(r.status, 504, q);
        // "current" is the store's revision when it answered: background writes (controllers) may have moved it.
        const named = /current: (\d+)$/.exec(r.body.message)?.[1] ?? '';
        assert.ok(Number(named) >= Number(now) && Number(named) <= Number(after), `${q}: current ${named} within [${now}, ${after}]`);
        assert.deepEqual(r.body, tooLarge(future, named), q);
        assert.equal(r.headers.get('retry-after'), null, q);
        assert.ok(Date.now() - started < 2000, `${q} answered without waiting`);
      }
    });

    it('waits up to 3s for a not-older-than revision, then 504s with Retry-After: 1 (get and list)', async () => {
      const now = await current();
      const future = String(Number(now) + 1000);
      const started = Date.now();
      const [list, notOlder, one] = await Promise.all([
        get(`${CM}?resourceVersion=${future}`),
        get(`${CM}?resourceVersion=${future}&resourceVersionMatch=NotOlderThan`),
        get(`${CM}/old-a?resourceVersion=${future}`),
      ]);
      const waited = Date.now() - started;
      assert.ok(waited >= 2900, `waited ${waited}ms`);
      for (const r of [list, notOlder, one]) {
        assert.equal(r.status, 504);
        assert.deepEqual(r.body, tooLarge(future, now, 1));
        assert.equal(r.headers.get('retry-after'), '1');
      }
    });

    it('answers a not-older-than read as soon as a write reaches its revision', async () => {
      const next = String(Number(await current()) + 1);
      const pending = Promise.all([get(`${CM}?resourceVersion=${next}&resourceVersionMatch=NotOlderThan`), get(`${CM}/old-b?resourceVersion=${next}`)]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await post(CM, { metadata: { name: 'arrives' } });
      const [list, one] = await pending;
      assert.equal(list.status, 200);
      assert.ok(names(list.body).includes('arrives'));
      assert.ok(Number(list.body.metadata.resourceVersion) >= Number(next));
      assert.equal(one.status, 200);
      assert.equal(one.body.metadata.name, 'old-b');
    });

    it('410s a continuation whose revision was compacted, with a token that continues at the latest revision', async () => {
      for (const n of ['p1', 'p2', 'p3']) await post('/api/v1/namespaces/reads/configmaps', { metadata: { name: `page-${n}` } });
      const first = await get(`${CM}?limit=2`);
      assert.equal(first.status, 200);
      const firstNames = names(first.body);
      await post(CM, { metadata: { name: 'zz-after-first-page' } });
      await t.server.backend.compact(Number(await current()));

      const expired = await get(`${CM}?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
      assert.equal(expired.status, 410);
      const fresh = expired.body.metadata.continue;
      assert.equal(typeof fresh, 'string');
      assert.deepEqual(expired.body, { ...status(410, 'Expired', INCONSISTENT_CONTINUE), metadata: { continue: fresh } });
      const decoded = JSON.parse(Buffer.from(fresh, 'base64url').toString());
      const original = JSON.parse(Buffer.from(first.body.metadata.continue, 'base64url').toString());
      assert.deepEqual(decoded, { v: 'meta.k8s.io/v1', rv: -1, start: original.start });

      // The inconsistent continuation reads the latest state from where the first page stopped.
      const rest: string[] = [];
      let next: string | undefined = fresh;
      let rv: string | undefined;
      while (next) {
        const page = await get(`${CM}?limit=2&continue=${encodeURIComponent(next)}`);
        assert.equal(page.status, 200, JSON.stringify(page.body));
        rv ??= page.body.metadata.resourceVersion;
        assert.equal(page.body.metadata.resourceVersion, rv);
        rest.push(...names(page.body));
        next = page.body.metadata.continue;
      }
      assert.equal(rv, await current());
      const all = names((await get(CM)).body);
      assert.deepEqual([...firstNames, ...rest], all);
      assert.ok(rest.includes('zz-after-first-page'));
    });

    it('400s malformed continue tokens with upstream messages', async () => {
      const cases: [string, string][] = [
        ['a!b', 'illegal base64 data at input byte 1'],
        ['abcde', 'illegal base64 data at input byte 4'],
        [Buffer.from('{"v":').toString('base64url'), 'unexpected end of JSON input'],
        [token([]), 'json: cannot unmarshal array into Go value of type storage.continueToken'],
        [token({ v: 'meta.k8s.io/v1', rv: 'x', start: 'a' }), 'json: cannot unmarshal string into Go struct field continueToken.rv of type int64'],
        [token({ v: 'meta.k8s.io/v2', rv: 5, start: 'a' }), 'server does not recognize this encoded version meta.k8s.io/v2'],
        [token({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }), 'incorrect encoded start resourceVersion (version meta.k8s.io/v1)'],
        [token({ v: 'meta.k8s.io/v1', rv: 5, start: '' }), 'encoded start key empty (version meta.k8s.io/v1)'],
        [token({ v: 'meta.k8s.io/v1', rv: 5, start: '../secrets/x' }), '../secrets/x'],
        [token({ v: 'meta.k8s.io/v1', rv: 5, start: 'reads/' }), 'reads/'],
      ];
      for (const [tok, detail] of cases) {
        const r = await get(`/api/v1/configmaps?limit=1&continue=${encodeURIComponent(tok)}`);
        assert.equal(r.status, 400, tok);
        assert.deepEqual(r.body, status(400, 'BadRequest', `invalid continue token: continue key is not valid: ${detail}`), tok);
      }
      // The token is read before the resourceVersion beside it is refused.
      const both = await get(`${CM}?limit=1&resourceVersion=7&continue=${encodeURIComponent(token({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }))}`);
      assert.equal(both.body.message, 'invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    });

    it('410s an Exact list at a compacted revision', async () => {
      const old = (await post(CM, { metadata: { name: 'compact-me' } })).metadata.resourceVersion;
      await post(CM, { metadata: { name: 'compact-after' } });
      await t.server.backend.compact(Number(await current()));
      const r = await get(`${CM}?resourceVersion=${old}&resourceVersionMatch=Exact`);
      assert.deepEqual(r.body, status(410, 'Expired', 'The resourceVersion for the provided list is too old.'));
    });
  });
}

describe('list and watch option validation (ValidateListOptions)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.stop();
  });
  const invalid = (causes: Json[]): Json => {
    const list = causes.map((c) => `${c.field}: ${c.message}`);
    return status(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`, {
      details: { group: 'meta.k8s.io', kind: 'ListOptions', causes },
    });
  };

  it('forbids sendInitialEvents on a list', async () => {
    const r = await api(t.server, 'GET', '/api/v1/namespaces/default/configmaps?sendInitialEvents=true');
    assert.deepEqual(r.body, invalid([{ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for list', field: 'sendInitialEvents' }]));
  });

  it('reports every problem of a list at once', async () => {
    const r = await api(t.server, 'GET', '/api/v1/namespaces/default/configmaps?resourceVersionMatch=Newest&sendInitialEvents=false');
    assert.deepEqual(
      r.body,
      invalid([
        { reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', field: 'resourceVersionMatch' },
        { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""', field: 'resourceVersionMatch' },
        { reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for list', field: 'sendInitialEvents' },
      ]),
    );
  });

  it('forbids resourceVersionMatch on a watch without sendInitialEvents', async () => {
    const r = await api(t.server, 'GET', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&resourceVersionMatch=Exact');
    assert.deepEqual(
      r.body,
      invalid([
        { reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided', field: 'resourceVersionMatch' },
        { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Exact": supported values: "NotOlderThan"', field: 'resourceVersionMatch' },
      ]),
    );
  });
});
