/** Races on one object: exactly one winner per resourceVersion, no lost or phantom writes, no 500s. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertHealthy, failure, request, type RawResponse } from './helpers.js';

const CM = '/api/v1/namespaces/default/configmaps';
const N = 50;

function tally(responses: RawResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

describe('robustness: concurrent writes', () => {
  let t: TestServer;
  const send = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    request(t.server, method, path, body === undefined ? undefined : JSON.stringify(body), headers);
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await assertHealthy(t.server);
    await t.stop();
  });

  it(`${N} conditional updates at one resourceVersion: exactly one wins, the rest 409 Conflict`, async () => {
    const created = await send('POST', CM, { metadata: { name: 'cas' }, data: { v: 'initial' } });
    assert.equal(created.status, 201);
    const rv = created.body.metadata.resourceVersion;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => send('PUT', `${CM}/cas`, { metadata: { name: 'cas', resourceVersion: rv }, data: { v: `writer-${i}` } })),
    );
    assert.deepEqual(tally(results), { 200: 1, 409: N - 1 });
    const message = 'Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again';
    for (const r of results.filter((x) => x.status === 409)) {
      assert.deepEqual(r.body, failure(409, 'Conflict', message, { name: 'cas', kind: 'configmaps' }));
    }
    const winner = results.find((r) => r.status === 200) as RawResponse;
    const now = await send('GET', `${CM}/cas`);
    assert.deepEqual(now.body.data, winner.body.data);
    assert.equal(now.body.metadata.resourceVersion, winner.body.metadata.resourceVersion);
  });

  it(`${N} unconditional updates all succeed with distinct resourceVersions; the last one stored is what reads see`, async () => {
    assert.equal((await send('POST', CM, { metadata: { name: 'free' }, data: { v: 'initial' } })).status, 201);
    const results = await Promise.all(Array.from({ length: N }, (_, i) => send('PUT', `${CM}/free`, { metadata: { name: 'free' }, data: { v: `writer-${i}` } })));
    assert.deepEqual(tally(results), { 200: N });
    const rvs = results.map((r) => Number(r.body.metadata.resourceVersion));
    assert.equal(new Set(rvs).size, N);
    const last = results[rvs.indexOf(Math.max(...rvs))] as RawResponse;
    const now = await send('GET', `${CM}/free`);
    assert.deepEqual(now.body.data, last.body.data);
    assert.equal(now.body.metadata.resourceVersion, String(Math.max(...rvs)));
  });

  it(`${N} concurrent merge patches of different keys lose none of them`, async () => {
    assert.equal((await send('POST', CM, { metadata: { name: 'patched' }, data: {} })).status, 201);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => send('PATCH', `${CM}/patched`, { data: { [`k${i}`]: String(i) } }, { 'content-type': 'application/merge-patch+json' })),
    );
    assert.deepEqual(tally(results), { 200: N });
    const now = await send('GET', `${CM}/patched`);
    assert.deepEqual(now.body.data, Object.fromEntries(Array.from({ length: N }, (_, i) => [`k${i}`, String(i)])));
  });

  it(`${N} concurrent creates of one name: one 201, the rest 409 AlreadyExists`, async () => {
    const results = await Promise.all(Array.from({ length: N }, (_, i) => send('POST', CM, { metadata: { name: 'dup' }, data: { by: String(i) } })));
    assert.deepEqual(tally(results), { 201: 1, 409: N - 1 });
    for (const r of results.filter((x) => x.status === 409)) {
      assert.deepEqual(r.body, failure(409, 'AlreadyExists', 'configmaps "dup" already exists', { name: 'dup', kind: 'configmaps' }));
    }
    const winner = results.find((r) => r.status === 201) as RawResponse;
    const now = await send('GET', `${CM}/dup`);
    assert.equal(now.body.metadata.uid, winner.body.metadata.uid);
    assert.deepEqual(now.body.data, winner.body.data);
  });

  it(`${N} concurrent deletes of one object: one 200, the rest 404`, async () => {
    assert.equal((await send('POST', CM, { metadata: { name: 'doomed' } })).status, 201);
    const results = await Promise.all(Array.from({ length: N }, () => send('DELETE', `${CM}/doomed`)));
    assert.deepEqual(tally(results), { 200: 1, 404: N - 1 });
    assert.equal((await send('GET', `${CM}/doomed`)).status, 404);
  });

  it('create/update/delete races on one name end in a state every reader agrees on', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      const ops = Array.from({ length: 12 }, (_, i) => {
        if (i % 3 === 0) return send('POST', CM, { metadata: { name: 'racy' }, data: { round: String(round), i: String(i) } });
        if (i % 3 === 1) return send('PUT', `${CM}/racy`, { metadata: { name: 'racy' }, data: { round: String(round), i: String(i) } });
        return send('DELETE', `${CM}/racy`);
      });
      const results = await Promise.all(ops);
      results.forEach((r, i) => {
        statuses.push(r.status);
        const allowed = i % 3 === 0 ? [201, 409] : i % 3 === 1 ? [200, 404, 409] : [200, 404];
        assert.ok(allowed.includes(r.status), `op ${i} answered ${r.status}: ${r.text.slice(0, 200)}`);
      });
      const [a, b, list] = await Promise.all([send('GET', `${CM}/racy`), send('GET', `${CM}/racy`), send('GET', `${CM}?fieldSelector=metadata.name%3Dracy`)]);
      assert.equal(a.status, b.status);
      assert.deepEqual(a.body, b.body);
      assert.equal(list.body.items.length, a.status === 200 ? 1 : 0);
      if (a.status === 200) assert.deepEqual(list.body.items[0].data, a.body.data);
    }
    assert.ok(!statuses.some((s) => s >= 500));
  });
});
