/**
 * JSON patch errors as upstream's patch handler gives them: a failed `test`, a missing
 * path or an unknown op is a 422 Invalid with the generic message and empty details; a
 * body that is not a list of operations is a 400; more than 10000 operations is a 413.
 * kubectl 1.33 shows the 422 as it would from kube-apiserver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const CM = '/api/v1/namespaces/default/configmaps';
const REJECTED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'the server rejected our request due to an error in our request',
  reason: 'Invalid',
  details: {},
  code: 422,
};

describe('JSON patch errors', () => {
  let t: TestServer;
  const patch = (name: string, body: unknown) =>
    api(t.server, 'PATCH', `${CM}/${name}`, typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json-patch+json' });

  before(async () => {
    t = await startTestServer();
    const r = await api(t.server, 'POST', CM, { metadata: { name: 'jp' }, data: { a: '1' } });
    assert.equal(r.status, 201);
  });
  after(async () => {
    await t.stop();
  });

  it('applies a patch whose test matches', async () => {
    const r = await patch('jp', [{ op: 'test', path: '/data/a', value: '1' }, { op: 'add', path: '/data/b', value: '2' }]);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.data, { a: '1', b: '2' });
  });

  it('422s a failed test, a missing path and an unknown op, and writes nothing', async () => {
    const before = (await api(t.server, 'GET', `${CM}/jp`)).body;
    for (const body of [
      [{ op: 'test', path: '/data/a', value: 'nope' }, { op: 'add', path: '/data/c', value: '3' }],
      [{ op: 'remove', path: '/data/missing' }],
      [{ op: 'replace', path: '/spec/x', value: 1 }],
      [{ op: 'frobnicate', path: '/data/a' }],
      [null],
    ]) {
      const r = await patch('jp', body);
      assert.equal(r.status, 422, JSON.stringify(body));
      assert.deepEqual(r.body, REJECTED, JSON.stringify(body));
    }
    const after = (await api(t.server, 'GET', `${CM}/jp`)).body;
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  it('400s a body that is not a list of operations, 413s too many', async () => {
    const object = await patch('jp', { op: 'add' });
    assert.equal(object.status, 400);
    assert.equal(object.body.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    const scalar = await patch('jp', [1]);
    assert.equal(scalar.status, 400);
    assert.equal(scalar.body.message, 'json: cannot unmarshal number into Go value of type jsonpatch.Operation');
    const many = await patch('jp', Array.from({ length: 10001 }, () => ({ op: 'test', path: '/data/a', value: '1' })));
    assert.equal(many.status, 413);
    assert.equal(many.body.reason, 'RequestEntityTooLarge');
    assert.equal(many.body.message, 'The allowed maximum operations in a JSON patch is 10000, got 10001');
  });

  it('kubectl patch --type=json reports the failed test as upstream', async () => {
    const r = await runKubectl(33, t.server.kubeconfigPath, ['patch', 'configmap', 'jp', '--type=json', '-p', '[{"op":"test","path":"/data/a","value":"nope"}]']);
    assert.equal(r.code, 1);
    // kubectl words an Invalid Status without a kind this way (its own formatting of upstream's Status).
    assert.equal(r.stderr.trim(), 'The request is invalid: the server rejected our request due to an error in our request');
  });
});
