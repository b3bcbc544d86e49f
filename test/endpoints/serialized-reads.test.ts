/**
 * Reads from the watch cache write the stored state's shared response bytes: a GET or a
 * list item is encoded once per encoding and version, then every later read writes the
 * same bytes (counted on /metrics); a write makes a new state, so no read ever sees the
 * old bytes (GET and LIST, JSON and protobuf, both versions of a kind served in two); and
 * lists written from the memo are byte for byte what the whole-list encoding writes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeBody } from '../../src/endpoints/response/encode.js';
import { chunkedListBody } from '../../src/endpoints/response/list-encode.js';
import { PROTOBUF } from '../../src/endpoints/request/media-type.js';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { materializeList, type ItemList } from '../../src/registry/rest/resource-store.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;
const NS = 'memo';

let ts: TestServer;

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${ts.server.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(m, `${name} on /metrics`);
  return Number(m[1]);
}

async function raw(path: string, accept: string): Promise<Buffer> {
  const res = await fetch(ts.server.url + path, { headers: { accept } });
  assert.equal(res.status, 200, path);
  return Buffer.from(await res.arrayBuffer());
}

function cronJob(name: string, schedule: string): Json {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: { schedule, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } } } },
  };
}

/** The list of a served resource as the streaming encoder sees it, from the cache. */
async function itemsOf(group: string, version: string, resource: string): Promise<{ items: ItemList; served: any }> {
  const store = ts.server.catalog.resource(group, version, resource)!;
  return { items: await store.listItems!(NS, {}), served: store.definition };
}

function streamed(mediaType: 'application/json' | typeof PROTOBUF, items: ItemList, served: any): Buffer {
  const body = chunkedListBody(mediaType, items, served, 1);
  assert.ok(body, 'streamed');
  return Buffer.concat([...body.chunks]);
}

describe('serialized reads from the watch cache', () => {
  before(async () => {
    ts = await startTestServer();
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
  });
  after(() => ts?.stop());

  it('shares one GET encoding between requests, within the budget /metrics reports', async () => {
    const cm = { metadata: { name: 'shared' }, data: { k: 'v'.repeat(2000) } };
    assert.equal((await api(ts.server, 'POST', `/api/v1/namespaces/${NS}/configmaps`, cm)).status, 201);
    const path = `/api/v1/namespaces/${NS}/configmaps/shared`;
    const first = await raw(path, 'application/json');
    const hits = await metric('apiserver_watch_cache_serialized_hits');
    const held = await metric('apiserver_watch_cache_serialized_bytes');
    for (let i = 0; i < 5; i++) assert.deepEqual(await raw(path, 'application/json'), first);
    assert.equal(await metric('apiserver_watch_cache_serialized_hits'), hits + 5, 'five GETs written from the kept bytes');
    assert.equal(await metric('apiserver_watch_cache_serialized_bytes'), held, 'nothing more kept');
    assert.equal(JSON.parse(first.toString()).data.k, cm.data.k);
    const budget = await metric('apiserver_watch_cache_serialized_budget_bytes');
    assert.equal(budget, 64 * 1024 * 1024);
    assert.ok(held > 0 && held <= budget);
  });

  it('never serves a GET of the state before an update or a delete, at either encoding and version', async () => {
    assert.equal((await api(ts.server, 'POST', `/apis/batch/v1/namespaces/${NS}/cronjobs`, cronJob('nightly', '0 1 * * *'))).status, 201);
    const paths = [`/apis/batch/v1/namespaces/${NS}/cronjobs/nightly`, `/apis/batch/v1beta1/namespaces/${NS}/cronjobs/nightly`];
    const read = async (schedule: string): Promise<void> => {
      for (const path of paths) {
        for (let n = 0; n < 2; n++) {
          const json = JSON.parse((await raw(path, 'application/json')).toString()) as Json;
          assert.equal(json.spec.schedule, schedule, path);
          assert.equal(json.apiVersion, path.includes('v1beta1') ? 'batch/v1beta1' : 'batch/v1');
          const proto = await raw(path, PROTOBUF);
          assert.ok(proto.includes(Buffer.from(schedule)), `${path} protobuf says ${schedule}`);
          assert.ok(proto.includes(Buffer.from(path.includes('v1beta1') ? 'batch/v1beta1' : 'batch/v1')));
        }
      }
    };
    await read('0 1 * * *');
    const patched = await api(ts.server, 'PATCH', paths[0]!, { spec: { schedule: '0 2 * * *' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200);
    await read('0 2 * * *');
    const replaced = await api(ts.server, 'PUT', paths[1]!, { ...patched.body, apiVersion: 'batch/v1beta1', spec: { ...patched.body.spec, schedule: '0 3 * * *' } });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    await read('0 3 * * *');
    assert.equal((await api(ts.server, 'DELETE', paths[0]!)).status, 200);
    for (const path of paths) {
      for (const accept of ['application/json', PROTOBUF]) {
        const res = await fetch(ts.server.url + path, { headers: { accept } });
        assert.equal(res.status, 404, `${path} ${accept} after delete`);
      }
    }
  });

  it('writes lists from kept item bytes exactly as the whole-list encoding, and sees every write', async () => {
    for (const [name, schedule] of [['a', '1 * * * *'], ['b', '2 * * * *'], ['c', '3 * * * *']]) {
      assert.equal((await api(ts.server, 'POST', `/apis/batch/v1/namespaces/${NS}/cronjobs`, cronJob(name!, schedule!))).status, 201);
    }
    const pod = { metadata: { name: 'p', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox', args: ['a', 'b'] }] } };
    assert.equal((await api(ts.server, 'POST', `/api/v1/namespaces/${NS}/pods`, pod)).status, 201);
    const hpa = { metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, minReplicas: 1, maxReplicas: 3 } };
    assert.equal((await api(ts.server, 'POST', `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`, hpa)).status, 201);
    const kinds: [string, string, string][] = [
      ['', 'v1', 'configmaps'],
      ['', 'v1', 'pods'],
      ['batch', 'v1', 'cronjobs'],
      ['batch', 'v1beta1', 'cronjobs'],
      ['autoscaling', 'v2', 'horizontalpodautoscalers'],
      ['autoscaling', 'v1', 'horizontalpodautoscalers'],
    ];
    const check = async (): Promise<void> => {
      for (const [group, version, resource] of kinds) {
        for (const mediaType of ['application/json', PROTOBUF] as const) {
          const { items, served } = await itemsOf(group, version, resource);
          assert.ok(items.count > 0 && items.memo, `${resource} ${version} comes with kept bytes`);
          const whole = Buffer.from(encodeBody(mediaType, materializeList(items) as unknown as KubeObject, served));
          assert.deepEqual(streamed(mediaType, items, served), whole, `${group}/${version} ${resource} ${mediaType}, first`);
          assert.deepEqual(streamed(mediaType, items, served), whole, `${group}/${version} ${resource} ${mediaType}, from kept bytes`);
        }
      }
    };
    await check();
    // A write between two lists: the list after it has the new state, in every encoding and version.
    const path = `/apis/batch/v1/namespaces/${NS}/cronjobs/b`;
    assert.equal((await api(ts.server, 'PATCH', path, { spec: { schedule: '9 * * * *' } }, { 'content-type': 'application/merge-patch+json' })).status, 200);
    for (const version of ['v1', 'v1beta1']) {
      const { items, served } = await itemsOf('batch', version, 'cronjobs');
      const json = JSON.parse(streamed('application/json', items, served).toString()) as Json;
      assert.deepEqual(json.items.map((i: Json) => i.spec.schedule), ['1 * * * *', '9 * * * *', '3 * * * *'], version);
      assert.ok(streamed(PROTOBUF, items, served).includes(Buffer.from('9 * * * *')), `${version} protobuf`);
      assert.ok(!streamed(PROTOBUF, items, served).includes(Buffer.from('2 * * * *')), `${version} protobuf has no old state`);
    }
    await check();
  });

  it('streams a large LIST over HTTP from kept bytes and sees a write made between two LISTs', async () => {
    const N = 520;
    for (let i = 0; i < N; i += 40) {
      await Promise.all(
        Array.from({ length: Math.min(40, N - i) }, async (_, j) => {
          const r = await api(ts.server, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: `cm-${i + j}` }, data: { v: String(i + j) } });
          assert.equal(r.status, 201);
        }),
      );
    }
    const list = `/api/v1/namespaces/${NS}/configmaps`;
    const value = (body: Buffer): string => (JSON.parse(body.toString()) as Json).items.find((i: Json) => i.metadata.name === 'cm-7').data.v;
    const json1 = await raw(list, 'application/json');
    const proto1 = await raw(list, PROTOBUF);
    const hits = await metric('apiserver_watch_cache_serialized_hits');
    assert.deepEqual(await raw(list, 'application/json'), json1);
    assert.deepEqual(await raw(list, PROTOBUF), proto1);
    assert.ok((await metric('apiserver_watch_cache_serialized_hits')) - hits >= 2 * N, 'items written from kept bytes');
    assert.equal(value(json1), '7');
    assert.equal((await api(ts.server, 'PUT', `${list}/cm-7`, { metadata: { name: 'cm-7' }, data: { v: 'seven' } })).status, 200);
    assert.equal(value(await raw(list, 'application/json')), 'seven');
    const proto2 = await raw(list, PROTOBUF);
    assert.ok(proto2.includes(Buffer.from('seven')));
    assert.notDeepEqual(proto2, proto1);
  });
});
