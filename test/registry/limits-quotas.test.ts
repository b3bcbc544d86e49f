/**
 * core/v1 LimitRange and ResourceQuota through kubectl 1.33 and the API: upstream's
 * LimitRange defaulting (a container default from max, a default request from the default
 * or min), its validation messages, ResourceQuota's status subresource and printing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const LR = '/api/v1/namespaces/default/limitranges';
const RQ = '/api/v1/namespaces/default/resourcequotas';

describe('LimitRange and ResourceQuota', () => {
  let ts: TestServer;
  const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  it('applies a LimitRange and defaults container limits as upstream', async () => {
    const manifest = 'apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: lr\n  namespace: default\nspec:\n  limits:\n  - type: Container\n    max: {cpu: "1", memory: 1Gi}\n    min: {cpu: 100m}\n  - type: Pod\n    max: {cpu: "2"}\n';
    const r = await k(['apply', '-f', '-'], manifest);
    assert.deepEqual([r.code, r.stdout], [0, 'limitrange/lr created\n']);
    const got = await api(ts.server, 'GET', `${LR}/lr`);
    assert.deepEqual(got.body.spec.limits, [
      { type: 'Container', max: { cpu: '1', memory: '1Gi' }, min: { cpu: '100m' }, default: { cpu: '1', memory: '1Gi' }, defaultRequest: { cpu: '1', memory: '1Gi' } },
      { type: 'Pod', max: { cpu: '2' } },
    ]);
    const list = await k(['get', 'limits']);
    assert.match(list.stdout, /^NAME\s+.*\nlr\s+/);
  });

  it('refuses a LimitRange with upstream messages', async () => {
    const bad = await api(ts.server, 'POST', LR, {
      metadata: { name: 'bad' },
      spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }, { type: 'Pod', default: { cpu: '1' } }, { type: 'Widget' }] },
    });
    assert.equal(bad.status, 422);
    assert.equal(
      bad.body.message,
      // Defaulting runs first (default and defaultRequest take max's 1), so those are checked too.
      'LimitRange "bad" is invalid: [spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1, spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1, spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1, spec.limits[1].default: Forbidden: may not be specified when `type` is \'Pod\', spec.limits[2].type: Invalid value: "Widget": must be a standard limit type or fully qualified]',
    );
  });

  it('creates a quota with kubectl, takes a status through /status, and prints used/hard as the quota controller recomputes them', async () => {
    const r = await k(['create', 'quota', 'q', '--hard=pods=10,requests.cpu=2,limits.memory=1Gi']);
    assert.deepEqual([r.code, r.stdout], [0, 'resourcequota/q created\n']);
    const q = (await api(ts.server, 'GET', `${RQ}/q`)).body;
    assert.deepEqual(q.spec, { hard: { 'limits.memory': '1Gi', pods: '10', 'requests.cpu': '2' } });
    const status = await api(ts.server, 'PUT', `${RQ}/q/status`, { ...q, status: { hard: q.spec.hard, used: { pods: '3', 'requests.cpu': '500m', 'limits.memory': '0' } } });
    assert.equal(status.status, 200, JSON.stringify(status.body));
    assert.deepEqual(status.body.status.used, { pods: '3', 'requests.cpu': '500m', 'limits.memory': '0' });
    // The quota controller then puts back what the namespace really uses (nothing), as upstream's.
    let table = await k(['get', 'quota', 'q', '--no-headers']);
    for (let i = 0; i < 100 && !/pods: 0\//.test(table.stdout); i++) {
      await new Promise((r) => setTimeout(r, 100));
      table = await k(['get', 'quota', 'q', '--no-headers']);
    }
    // 1.33's printer prints Age last (kubernetes/kubernetes#129419).
    assert.match(table.stdout, /^q\s+pods: 0\/10, requests\.cpu: 0\/2\s+limits\.memory: 0\/1Gi\s+\d+s\n$/);
    const neg = await api(ts.server, 'POST', RQ, { metadata: { name: 'neg' }, spec: { hard: { pods: '-1' }, scopes: ['Sometimes'] } });
    assert.equal(neg.status, 422);
    assert.equal(neg.body.message, 'ResourceQuota "neg" is invalid: [spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0, spec.scopes: Invalid value: []core.ResourceQuotaScope{"Sometimes"}: unsupported scope]');
  });
});
