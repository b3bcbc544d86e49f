/** HTTP gateway: label and field selectors, paging with limit/continue, list-option validation. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const NS = '/api/v1/namespaces/sel';
const names = (body: Json): string[] => body.items.map((i: Json) => i.metadata.name);

describe('HTTP API: selectors and paging', () => {
  let t: TestServer;
  const get = (path: string) => api(t.server, 'GET', path);
  const post = async (path: string, body: unknown): Promise<Json> => {
    const r = await api(t.server, 'POST', path, body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    t = await startTestServer();
    for (const ns of ['sel', 'page', 'other']) await post('/api/v1/namespaces', { metadata: { name: ns } });
    const labelled: [string, Record<string, string>][] = [
      ['a', { app: 'web', tier: 'fe' }],
      ['b', { app: 'web', tier: 'be' }],
      ['c', { app: 'db' }],
      ['d', {}],
    ];
    for (const [name, labels] of labelled) await post(`${NS}/configmaps`, { metadata: { name, labels } });
    await post('/api/v1/namespaces/other/configmaps', { metadata: { name: 'a' } });
    const pod = (name: string, nodeName?: string): Json => ({
      metadata: { name },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx' }] },
    });
    await post(`${NS}/pods`, pod('p-unscheduled'));
    await post(`${NS}/pods`, pod('p-bound', 'node-1'));
    const running = (await get(`${NS}/pods/p-bound`)).body;
    const st = await api(t.server, 'PUT', `${NS}/pods/p-bound/status`, { ...running, status: { ...running.status, phase: 'Running' } });
    assert.equal(st.status, 200, JSON.stringify(st.body));
    const event = (name: string, involved: string): Json => ({
      metadata: { name },
      involvedObject: { kind: 'Pod', namespace: 'sel', name: involved },
      reason: 'Scheduled',
      message: 'ok',
      type: 'Normal',
    });
    await post(`${NS}/events`, event('e1', 'p-bound'));
    await post(`${NS}/events`, event('e2', 'p-unscheduled'));
  });
  after(async () => {
    await t.stop();
  });

  describe('labelSelector', () => {
    const cases: [string, string[]][] = [
      ['app=web', ['a', 'b']],
      ['app==web', ['a', 'b']],
      ['app!=web', ['c', 'd']],
      ['app in (web,db)', ['a', 'b', 'c']],
      ['app notin (web)', ['c', 'd']],
      ['tier', ['a', 'b']],
      ['!tier', ['c', 'd']],
      ['app=web,tier!=be', ['a']],
      ['app=nope', []],
    ];
    for (const [selector, expected] of cases) {
      it(`selects ${JSON.stringify(selector)}`, async () => {
        const r = await get(`${NS}/configmaps?labelSelector=${encodeURIComponent(selector)}`);
        assert.equal(r.status, 200);
        assert.deepEqual(names(r.body), expected);
      });
    }

    it('400s a malformed selector', async () => {
      const r = await get(`${NS}/configmaps?labelSelector=${encodeURIComponent('app in (web')}`);
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: "unable to parse requirement: found '', expected: ')'",
        reason: 'BadRequest',
        code: 400,
      });
      const badValue = await get(`${NS}/configmaps?labelSelector=${encodeURIComponent('app=-bad-')}`);
      assert.equal(badValue.status, 400);
      assert.equal(badValue.body.reason, 'BadRequest');
      assert.equal(
        badValue.body.message,
        'unable to parse requirement: values[0][app]: Invalid value: "-bad-": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')',
      );
      const badKey = await get(`${NS}/configmaps?labelSelector=${encodeURIComponent('a/b/c=x')}`);
      assert.equal(badKey.status, 400);
      assert.match(badKey.body.message, /^unable to parse requirement: key: Invalid value: "a\/b\/c": /);
    });
  });

  describe('fieldSelector', () => {
    it('selects on metadata.name and metadata.namespace, across namespaces too', async () => {
      assert.deepEqual(names((await get(`${NS}/configmaps?fieldSelector=metadata.name%3Db`)).body), ['b']);
      assert.deepEqual(names((await get(`${NS}/configmaps?fieldSelector=metadata.name!%3Db`)).body), ['a', 'c', 'd']);
      const all = await get('/api/v1/configmaps?fieldSelector=metadata.name%3Da');
      assert.deepEqual(all.body.items.map((i: Json) => i.metadata.namespace).sort(), ['other', 'sel']);
      const both = await get('/api/v1/configmaps?fieldSelector=metadata.name%3Da,metadata.namespace%3Dother');
      assert.deepEqual(both.body.items.map((i: Json) => `${i.metadata.namespace}/${i.metadata.name}`), ['other/a']);
    });

    it('answers contradictory pairs and an empty namespace with empty lists', async () => {
      const contradict = await get('/api/v1/configmaps?fieldSelector=metadata.name%3Da,metadata.name%3Db');
      assert.equal(contradict.status, 200);
      assert.deepEqual(contradict.body.items, []);
      const nsContradict = await get(`${NS}/configmaps?fieldSelector=metadata.namespace%3Dother`);
      assert.deepEqual(nsContradict.body.items, []);
      const emptyNs = await get('/api/v1/configmaps?fieldSelector=metadata.namespace%3D');
      assert.equal(emptyNs.status, 200);
      assert.deepEqual(emptyNs.body.items, []);
    });

    it('selects pods by status.phase and spec.nodeName', async () => {
      assert.deepEqual(names((await get(`${NS}/pods?fieldSelector=status.phase%3DRunning`)).body), ['p-bound']);
      assert.deepEqual(names((await get(`${NS}/pods?fieldSelector=status.phase!%3DRunning`)).body), ['p-unscheduled']);
      assert.deepEqual(names((await get(`${NS}/pods?fieldSelector=spec.nodeName%3Dnode-1`)).body), ['p-bound']);
      assert.deepEqual(names((await get(`${NS}/pods?fieldSelector=spec.nodeName%3D`)).body), ['p-unscheduled']);
    });

    it('selects events by involvedObject fields (kubectl describe)', async () => {
      const q = encodeURIComponent('involvedObject.name=p-bound,involvedObject.namespace=sel,involvedObject.kind=Pod');
      const r = await get(`${NS}/events?fieldSelector=${q}&limit=500`);
      assert.equal(r.status, 200);
      assert.equal(r.body.kind, 'EventList');
      assert.deepEqual(names(r.body), ['e1']);
    });

    it('400s an unsupported field label', async () => {
      const r = await get(`${NS}/configmaps?fieldSelector=spec.nodeName%3Dx`);
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'field label not supported: spec.nodeName',
        reason: 'BadRequest',
        code: 400,
      });
      const onWatch = await get(`${NS}/configmaps?watch=true&fieldSelector=foo%3Dbar`);
      assert.equal(onWatch.status, 400);
      assert.equal(onWatch.body.message, 'field label not supported: foo');
    });

    it('treats bracketed query keys as plain (unknown, ignored) parameters', async () => {
      const r = await get(`${NS}/configmaps?labelSelector%5Bapp%5D=web`);
      assert.equal(r.status, 200);
      assert.deepEqual(names(r.body), ['a', 'b', 'c', 'd']);
      const plus = await get(`${NS}/configmaps?labelSelector=app+in+(db)`);
      assert.deepEqual(names(plus.body), ['c']);
    });

    it('combines label and field selectors', async () => {
      const r = await get(`${NS}/configmaps?labelSelector=app%3Dweb&fieldSelector=metadata.name!%3Da`);
      assert.deepEqual(names(r.body), ['b']);
    });
  });

  describe('limit and continue', () => {
    it('pages pinned to the first page resourceVersion, in name order, with remainingItemCount', async () => {
      for (const n of ['p3', 'p1', 'p5', 'p2', 'p4']) await post('/api/v1/namespaces/page/configmaps', { metadata: { name: n } });
      const first = await get('/api/v1/namespaces/page/configmaps?limit=2');
      assert.equal(first.status, 200);
      assert.deepEqual(names(first.body), ['p1', 'p2']);
      assert.equal(first.body.metadata.remainingItemCount, 3);
      assert.equal(typeof first.body.metadata.continue, 'string');
      const rv = first.body.metadata.resourceVersion;

      // Created after the first page: a later page must not see it.
      await post('/api/v1/namespaces/page/configmaps', { metadata: { name: 'p35' } });

      const second = await get(`/api/v1/namespaces/page/configmaps?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
      assert.equal(second.status, 200);
      assert.deepEqual(names(second.body), ['p3', 'p4']);
      assert.equal(second.body.metadata.resourceVersion, rv);
      assert.equal(second.body.metadata.remainingItemCount, 1);
      const third = await get(`/api/v1/namespaces/page/configmaps?limit=2&continue=${encodeURIComponent(second.body.metadata.continue)}`);
      assert.deepEqual(names(third.body), ['p5']);
      assert.equal(third.body.metadata.resourceVersion, rv);
      assert.equal('continue' in third.body.metadata, false);
      assert.equal('remainingItemCount' in third.body.metadata, false);

      const fresh = await get('/api/v1/namespaces/page/configmaps');
      assert.deepEqual(names(fresh.body), ['p1', 'p2', 'p3', 'p35', 'p4', 'p5']);
    });

    it('pages with a selector (no remainingItemCount) and at resourceVersion=0', async () => {
      const r = await get('/api/v1/namespaces/sel/configmaps?limit=1&labelSelector=app%3Dweb');
      assert.deepEqual(names(r.body), ['a']);
      assert.equal('remainingItemCount' in r.body.metadata, false);
      const next = await get(`/api/v1/namespaces/sel/configmaps?limit=1&labelSelector=app%3Dweb&continue=${encodeURIComponent(r.body.metadata.continue)}`);
      assert.deepEqual(names(next.body), ['b']);
      const rv0 = await get('/api/v1/namespaces/page/configmaps?limit=3&resourceVersion=0');
      assert.equal(rv0.status, 200);
      assert.ok(rv0.body.items.length >= 3, 'limit may be ignored at RV 0, never under-filled');
    });

    it('400s a malformed continue token', async () => {
      const r = await get('/api/v1/namespaces/page/configmaps?limit=2&continue=not-a-token');
      assert.equal(r.status, 400);
      assert.equal(r.body.reason, 'BadRequest');
      assert.match(r.body.message, /^invalid continue token: continue key is not valid: /);
    });

    it('410s a continue token whose revision was compacted', async () => {
      const first = await get('/api/v1/namespaces/page/configmaps?limit=1');
      await post('/api/v1/namespaces/page/configmaps', { metadata: { name: 'bump' } });
      await t.server.backend.compact(Number((await get('/api/v1/namespaces/page/configmaps')).body.metadata.resourceVersion));
      const r = await get(`/api/v1/namespaces/page/configmaps?limit=1&continue=${encodeURIComponent(first.body.metadata.continue)}`);
      assert.equal(r.status, 410);
      assert.equal(r.body.reason, 'Expired');
      assert.equal(r.body.code, 410);
      assert.match(r.body.message, /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token in this response/);
      assert.equal(typeof r.body.metadata.continue, 'string');
    });

    it('400s a negative or non-numeric limit', async () => {
      const r = await get('/api/v1/namespaces/page/configmaps?limit=abc');
      assert.equal(r.status, 400);
      assert.equal(r.body.reason, 'BadRequest');
      assert.equal(r.body.message, 'invalid limit parameter: strconv.ParseInt: parsing "abc": invalid syntax');
      const negative = await get('/api/v1/namespaces/page/configmaps?limit=-1');
      assert.equal(negative.status, 400);
      assert.equal(negative.body.message, 'limit must be a non-negative integer, got -1');
    });
  });

  describe('list-option validation (TestListOptions messages)', () => {
    const invalid = (field: string, body: string, reason: string): Json => ({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `ListOptions.meta.k8s.io "" is invalid: ${field}: ${body}`,
      reason: 'Invalid',
      details: { group: 'meta.k8s.io', kind: 'ListOptions', causes: [{ reason, message: body, field }] },
      code: 422,
    });

    it('forbids resourceVersionMatch without resourceVersion', async () => {
      const r = await get('/api/v1/namespaces/page/configmaps?resourceVersionMatch=NotOlderThan');
      assert.equal(r.status, 422);
      assert.deepEqual(r.body, invalid('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', 'FieldValueForbidden'));
    });

    it('forbids resourceVersionMatch with continue', async () => {
      const first = await get('/api/v1/namespaces/page/configmaps?limit=1');
      const r = await get(`/api/v1/namespaces/page/configmaps?resourceVersionMatch=NotOlderThan&continue=${encodeURIComponent(first.body.metadata.continue)}`);
      assert.equal(r.status, 422);
      // Every problem is reported, in upstream's order, as one aggregate.
      const unless = 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided';
      const withContinue = 'Forbidden: resourceVersionMatch is forbidden when continue is provided';
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: ${unless}, resourceVersionMatch: ${withContinue}]`,
        reason: 'Invalid',
        details: {
          group: 'meta.k8s.io',
          kind: 'ListOptions',
          causes: [
            { reason: 'FieldValueForbidden', message: unless, field: 'resourceVersionMatch' },
            { reason: 'FieldValueForbidden', message: withContinue, field: 'resourceVersionMatch' },
          ],
        },
        code: 422,
      });
    });

    it('rejects an unsupported resourceVersionMatch with the supported values', async () => {
      const r = await get('/api/v1/namespaces/page/configmaps?resourceVersion=1&resourceVersionMatch=Newest');
      assert.equal(r.status, 422);
      assert.deepEqual(r.body, invalid('resourceVersionMatch', 'Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""', 'FieldValueNotSupported'));
    });

    it('forbids Exact at resourceVersion 0', async () => {
      const r = await get('/api/v1/namespaces/page/configmaps?resourceVersion=0&resourceVersionMatch=Exact');
      assert.equal(r.status, 422);
      assert.deepEqual(r.body, invalid('resourceVersionMatch', 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"', 'FieldValueForbidden'));
    });

    it('400s a resourceVersion with continue (storage, after the token is read)', async () => {
      const first = await get('/api/v1/namespaces/page/configmaps?limit=1');
      const r = await get(`/api/v1/namespaces/page/configmaps?resourceVersion=5&continue=${encodeURIComponent(first.body.metadata.continue)}`);
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'specifying resource version is not allowed when using continue', reason: 'BadRequest', code: 400 });
    });

    it('rejects a malformed resourceVersion with Invalid value', async () => {
      const r = await get('/api/v1/namespaces/page/configmaps?resourceVersion=abc');
      assert.equal(r.status, 400);
      assert.equal(r.body.reason, 'BadRequest');
      assert.equal(r.body.message, 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax');
    });

    it('410s a compacted resourceVersion with Exact and with a limit', async () => {
      const created = await post('/api/v1/namespaces/page/configmaps', { metadata: { name: 'old-rv' } });
      const old = created.metadata.resourceVersion;
      await post('/api/v1/namespaces/page/configmaps', { metadata: { name: 'newer-rv' } });
      const now = Number((await get('/api/v1/namespaces/page/configmaps')).body.metadata.resourceVersion);
      await t.server.backend.compact(now);
      for (const q of [`resourceVersion=${old}&resourceVersionMatch=Exact`, `resourceVersion=${old}&limit=2`]) {
        const r = await get(`/api/v1/namespaces/page/configmaps?${q}`);
        assert.equal(r.status, 410, q);
        assert.equal(r.body.reason, 'Expired', q);
        assert.equal(r.body.message, "The resourceVersion for the provided list is too old.", q);
      }
      const notOlder = await get(`/api/v1/namespaces/page/configmaps?resourceVersion=${old}&resourceVersionMatch=NotOlderThan`);
      assert.equal(notOlder.status, 200);
    });
  });
});
