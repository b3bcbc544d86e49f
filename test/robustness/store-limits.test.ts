/**
 * Both stores judge a write alike: an object over etcd's default `--max-request-bytes`
 * (1.5 MiB) — a ConfigMap with 60 000 labels and their managed fields — is refused on the
 * embedded store exactly as on etcd, with the Status kube-apiserver passes on from etcd
 * (500, no reason, `etcdserver: request is too large`), on create and on update; objects
 * under the limit are stored by both. Delete preconditions fail in upstream's words on both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertHealthy, request } from './helpers.js';

const CM = '/api/v1/namespaces/default/configmaps';

/** 60 000 labels: a 0.9 MiB body, about 2 MiB stored with the managed fields that list every label. */
function manyLabels(name: string, count = 60_000, value = 'v'): string {
  const labels: Record<string, string> = {};
  for (let i = 0; i < count; i++) labels[`label-${i}`] = value;
  return JSON.stringify({ metadata: { name, labels } });
}

function assertTooLarge(res: { status: number; body: any; text: string }): void {
  assert.equal(res.status, 500, res.text.slice(0, 300));
  assert.deepEqual(res.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request is too large', code: 500 });
}

for (const store of ['embedded', 'etcd'] as const) {
  describe(`robustness: write limits on the ${store} store`, () => {
    let t: TestServer;
    let etcd: EtcdInstance | undefined;
    before(async () => {
      if (store === 'etcd') etcd = await startEtcd();
      t = await startTestServer(etcd ? { etcdServers: [etcd.endpoint] } : {});
    });
    after(async () => {
      await assertHealthy(t.server);
      await t.stop();
      await etcd?.stop();
    });

    it('refuses a ConfigMap with 60 000 labels as etcd does', async () => {
      const body = manyLabels('labels-60k');
      assert.ok(body.length < 3 * 1024 * 1024);
      assertTooLarge(await request(t.server, 'POST', CM, body));
      assert.equal((await request(t.server, 'GET', `${CM}/labels-60k`)).status, 404);
    });

    it('gives the same answer for an object past the gRPC message limit above etcd\'s request limit', async () => {
      const body = manyLabels('labels-big', 50_000, 'v'.repeat(30));
      assert.ok(body.length > 2 * 1024 * 1024 && body.length < 3 * 1024 * 1024, `${body.length} bytes`);
      assertTooLarge(await request(t.server, 'POST', CM, body));
    });

    it('stores one under the limit, and refuses the update that takes it over', async () => {
      const created = await request(t.server, 'POST', CM, JSON.stringify({ metadata: { name: 'grows' }, data: { a: 'x'.repeat(700 * 1024) } }));
      assert.equal(created.status, 201, created.text.slice(0, 300));
      const labels: Record<string, string> = {};
      for (let i = 0; i < 40_000; i++) labels[`label-${i}`] = 'v';
      const patch = await request(t.server, 'PATCH', `${CM}/grows`, JSON.stringify({ metadata: { labels } }), { 'content-type': 'application/merge-patch+json' });
      assertTooLarge(patch);
      const got = await request(t.server, 'GET', `${CM}/grows`);
      assert.equal(got.status, 200);
      assert.equal(got.body.metadata.labels, undefined);
      assert.equal(got.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    });

    it('answers failed delete preconditions in upstream\'s words', async () => {
      const created = await request(t.server, 'POST', CM, JSON.stringify({ metadata: { name: 'pre' } }));
      assert.equal(created.status, 201);
      const { uid, resourceVersion } = created.body.metadata;
      const rv = await request(t.server, 'DELETE', `${CM}/pre`, JSON.stringify({ preconditions: { resourceVersion: '6' } }));
      assert.equal(rv.status, 409, rv.text);
      assert.deepEqual(rv.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `Operation cannot be fulfilled on ConfigMap "pre": the ResourceVersion in the precondition (6) does not match the ResourceVersion in record (${resourceVersion}). The object might have been modified`,
        reason: 'Conflict',
        details: { name: 'pre', kind: 'ConfigMap' },
        code: 409,
      });
      const byUid = await request(t.server, 'DELETE', `${CM}/pre`, JSON.stringify({ preconditions: { uid: 'not-the-uid' } }));
      assert.equal(byUid.status, 409);
      assert.equal(
        byUid.body.message,
        `Operation cannot be fulfilled on ConfigMap "pre": the UID in the precondition (not-the-uid) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
      );
      assert.equal((await request(t.server, 'DELETE', `${CM}/pre`, JSON.stringify({ preconditions: { uid, resourceVersion } }))).status, 200);
    });
  });
}
