/**
 * Graceful deletion of pods as upstream: an unscheduled or finished pod goes at once; a
 * bound pod is marked (deletionTimestamp = now + grace, deletionGracePeriodSeconds) and
 * goes when its node agent confirms (a delete with grace 0). Real kubectl 1.33 waits for
 * that; `--grace-period=0 --force` does not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectl, runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { deletedAll, watchUntil } from '../helpers/watch.js';

type Json = Record<string, any>;

describe('graceful deletion of pods', () => {
  let t: TestServer;
  const NS = 'grace';
  const PODS = `/api/v1/namespaces/${NS}/pods`;
  const call = (method: string, path: string, body?: unknown) => api(t.server, method, path, body);
  const pod = (name: string, spec: Json = {}): Json => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });
  const rvNow = async (): Promise<string> => (await call('GET', PODS)).body.metadata.resourceVersion;

  before(async () => {
    t = await startTestServer();
    assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
  });
  after(() => t.stop());

  it('removes an unscheduled pod at once, answering it marked with grace 0', async () => {
    assert.equal((await call('POST', PODS, pod('loose'))).status, 201);
    const r = await call('DELETE', `${PODS}/loose`);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'Pod');
    assert.equal(r.body.metadata.deletionGracePeriodSeconds, 0);
    assert.equal(typeof r.body.metadata.deletionTimestamp, 'string');
    assert.equal((await call('GET', `${PODS}/loose`)).status, 404);
  });

  it('removes a finished pod at once even when bound', async () => {
    assert.equal((await call('POST', PODS, pod('done', { nodeName: 'node-1' }))).status, 201);
    const st = await call('PUT', `${PODS}/done/status`, { ...(await call('GET', `${PODS}/done`)).body, status: { phase: 'Succeeded' } });
    assert.equal(st.status, 200);
    assert.equal((await call('DELETE', `${PODS}/done`)).status, 200);
    assert.equal((await call('GET', `${PODS}/done`)).status, 404);
  });

  it('marks a bound pod; repeated deletes only shorten the grace; the node agent confirms with grace 0', async () => {
    assert.equal((await call('POST', PODS, pod('bound', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }))).status, 201);
    const before = Date.now();
    const r = await call('DELETE', `${PODS}/bound`);
    assert.equal(r.status, 200);
    assert.equal(r.body.metadata.deletionGracePeriodSeconds, 30);
    const ts = Date.parse(r.body.metadata.deletionTimestamp);
    assert.ok(ts >= Math.floor(before / 1000) * 1000 + 29_000 && ts <= Date.now() + 31_000, r.body.metadata.deletionTimestamp);
    assert.equal((await call('GET', `${PODS}/bound`)).status, 200);
    // A longer period changes nothing.
    const longer = await call('DELETE', `${PODS}/bound`, { gracePeriodSeconds: 60 });
    assert.equal(longer.status, 200);
    assert.equal(longer.body.metadata.deletionGracePeriodSeconds, 30);
    assert.equal(longer.body.metadata.deletionTimestamp, r.body.metadata.deletionTimestamp);
    // A shorter one moves the deadline back by the difference.
    const shorter = await call('DELETE', `${PODS}/bound`, { gracePeriodSeconds: 10 });
    assert.equal(shorter.status, 200);
    assert.equal(shorter.body.metadata.deletionGracePeriodSeconds, 10);
    assert.equal(Date.parse(shorter.body.metadata.deletionTimestamp), ts - 20_000);
    // The node agent: grace 0 removes it.
    const confirm = await call('DELETE', `${PODS}/bound`, { gracePeriodSeconds: 0 });
    assert.equal(confirm.status, 200);
    assert.equal(confirm.body.metadata.deletionGracePeriodSeconds, 0);
    assert.equal((await call('GET', `${PODS}/bound`)).status, 404);
  });

  it('kubectl 1.33 delete waits until the node agent confirms', async () => {
    assert.equal((await call('POST', PODS, pod('waited', { nodeName: 'node-1' }))).status, 201);
    const rv = await rvNow();
    const run = kubectl(33, t.server.kubeconfigPath, ['delete', 'pod', 'waited', '-n', NS]);
    let finished = false;
    void run.result.then(() => (finished = true));
    const marked = await watchUntil(t.server, `${PODS}?resourceVersion=${rv}`, (evs) => evs.some((e) => e.object.metadata.name === 'waited' && e.object.metadata.deletionTimestamp));
    assert.equal(marked.at(-1)!.object.metadata.deletionGracePeriodSeconds, 30);
    // Still waiting: the pod is there, kubectl has not returned.
    assert.equal((await call('GET', `${PODS}/waited`)).status, 200);
    assert.equal(finished, false);
    const rv2 = await rvNow();
    assert.equal((await call('DELETE', `${PODS}/waited`, { gracePeriodSeconds: 0 })).status, 200);
    await watchUntil(t.server, `${PODS}?resourceVersion=${rv2}`, deletedAll(['waited']));
    const out = await run.result;
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^pod "waited" deleted/);
  });

  it('kubectl 1.33 delete --grace-period=0 --force returns at once with upstream warning', async () => {
    assert.equal((await call('POST', PODS, pod('forced', { nodeName: 'node-1' }))).status, 201);
    const out = await runKubectl(33, t.server.kubeconfigPath, ['delete', 'pod', 'forced', '-n', NS, '--grace-period=0', '--force']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(
      out.stderr,
      'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n',
    );
    assert.match(out.stdout, /^pod "forced" force deleted/);
    assert.equal((await call('GET', `${PODS}/forced`)).status, 404);
  });
});
