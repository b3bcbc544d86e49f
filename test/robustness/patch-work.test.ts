/**
 * Patch application is bounded in work, not only in bytes: a 64 KiB JSON patch whose 14
 * `copy` operations each copy a growing subtree into itself (doubling the document to a
 * gibibyte) is refused in well under a second with upstream's 422, while another client's
 * requests keep being answered promptly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertStatus, copyAmplificationPatch, request, useServerWithTarget, withWorkload } from './helpers.js';

const CM = '/api/v1/namespaces/default/configmaps';
const JSON_PATCH = { 'content-type': 'application/json-patch+json' };
const GENERIC_422 = 'the server rejected our request due to an error in our request';

describe('robustness: patch work', () => {
  const server = useServerWithTarget();

  it('refuses the 14-copy amplification quickly while a concurrent workload is served', async () => {
    const body = copyAmplificationPatch();
    assert.ok(body.length > 64 * 1024 && body.length < 66 * 1024, `patch is ${body.length} bytes`);
    const { res, ms } = await withWorkload(server().server, async () => {
      const started = Date.now();
      const res = await request(server().server, 'PATCH', `${CM}/target`, body, JSON_PATCH);
      return { res, ms: Date.now() - started };
    });
    assertStatus(res, 422, 'Invalid', GENERIC_422);
    assert.deepEqual(res.body.details, {});
    assert.ok(ms < 1000, `refused after ${ms} ms`);
    const got = await request(server().server, 'GET', `${CM}/target`);
    assert.equal(got.body.metadata.annotations, undefined, 'nothing of the refused patch was stored');
  });

  it('allows copies that stay within the 3 MiB copy budget, and refuses the one that passes it', async () => {
    const copies = (n: number): string => {
      const ops: unknown[] = [{ op: 'add', path: '/data/seed', value: 'c'.repeat(100 * 1024) }];
      for (let i = 0; i < n; i++) ops.push({ op: 'copy', from: '/data/seed', path: `/data/c${i}` });
      return JSON.stringify(ops);
    };
    // 9 copies of 100 KiB: a valid ConfigMap of 1000 KiB.
    const ok = await request(server().server, 'PATCH', `${CM}/target?dryRun=All`, copies(9), JSON_PATCH);
    assert.equal(ok.status, 200, ok.text.slice(0, 300));
    assert.equal(Object.keys(ok.body.data).length, 11);
    // 30 copies (3000 KiB) are within the budget: the patch applies and the ConfigMap's own size rule refuses it.
    const within = await request(server().server, 'PATCH', `${CM}/target?dryRun=All`, copies(30), JSON_PATCH);
    assertStatus(within, 422, 'Invalid', 'ConfigMap "target" is invalid: Too long: may not be more than 1048576 bytes');
    // The 31st takes the copied bytes to 3100 KiB, past 3 MiB: the patch itself fails.
    assertStatus(await request(server().server, 'PATCH', `${CM}/target?dryRun=All`, copies(31), JSON_PATCH), 422, 'Invalid', GENERIC_422);
  });

  it('counts every copy, small ones too: ten thousand copies of a 1 KiB value pass the budget', async () => {
    const ops: unknown[] = [{ op: 'add', path: '/data/seed', value: 'y'.repeat(1024) }];
    for (let i = 0; i < 9999; i++) ops.push({ op: 'copy', from: '/data/seed', path: `/data/c${i}` });
    const started = Date.now();
    assertStatus(await request(server().server, 'PATCH', `${CM}/target`, JSON.stringify(ops), JSON_PATCH), 422, 'Invalid', GENERIC_422);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  it('answers ten thousand moves of a large document without cloning it for each', async () => {
    const ops: unknown[] = [{ op: 'add', path: '/data/big', value: 'z'.repeat(900 * 1024) }];
    for (let i = 0; i < 9999; i++) ops.push({ op: 'move', from: i % 2 ? '/data/b' : '/data/big', path: i % 2 ? '/data/big' : '/data/b' });
    const started = Date.now();
    const res = await request(server().server, 'PATCH', `${CM}/target?dryRun=All`, JSON.stringify(ops), JSON_PATCH);
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.body.data.b.length, 900 * 1024);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  it('merges a strategic patch of 20 000 list items by merge key in linear time (it took 23 s when quadratic)', async () => {
    const deploy = { metadata: { name: 'wide' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c0', image: 'i' }] } } } };
    assert.equal((await request(server().server, 'POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify(deploy))).status, 201);
    // Every item but the first lacks an image: the merge runs to the end and validation refuses the result.
    const containers = Array.from({ length: 20_000 }, (_, i) => ({ name: `c${i}` }));
    const started = Date.now();
    const res = await withWorkload(server().server, () =>
      request(server().server, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/wide', JSON.stringify({ spec: { template: { spec: { containers } } } }), {
        'content-type': 'application/strategic-merge-patch+json',
      }),
    // Linear, not free: 20 000 containers merged, managed and validated, and a 3 MB Status listing every missing image.
    8000);
    const ms = Date.now() - started;
    assertStatus(res, 422, 'Invalid', /^Deployment\.apps "wide" is invalid: \[spec\.template\.spec\.containers\[1\]\.image: Required value, /);
    assert.ok(ms < 8000, `took ${ms} ms`);
  });

  it('400s a patch whose copies nest the object too deeply', async () => {
    const ops: unknown[] = [{ op: 'add', path: '/metadata/annotations', value: {} }];
    let path = '/metadata/annotations';
    for (let i = 0; i < 1200; i++) {
      ops.push({ op: 'add', path: `${path}/a`, value: {} });
      path += '/a';
    }
    const res = await request(server().server, 'PATCH', `${CM}/target`, JSON.stringify(ops), JSON_PATCH);
    assertStatus(res, 400, 'BadRequest', 'the request body is nested too deeply: more than 1000 levels of objects and arrays');
  });
});
