/**
 * Server-side apply requests as upstream's patch handler answers them: dryRun, the status
 * subresource (its own manager entry, spec untouched), and every refusal with its code,
 * reason and message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const APPLY = { 'content-type': 'application/apply-patch+yaml' };
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const CM = '/api/v1/namespaces/default/configmaps';

describe('server-side apply requests', () => {
  let ts: TestServer;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => api(ts.server, method, path, body, headers);
  before(async () => {
    ts = await startTestServer();
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    };
    assert.equal((await call('POST', `${DEPLOY}?fieldManager=creator`, dep)).status, 201);
  });
  after(async () => ts.stop());

  it('dryRun answers as a create would and stores nothing', async () => {
    const r = await call('PATCH', `${CM}/dry?fieldManager=m&dryRun=All`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\ndata:\n  a: b\n', APPLY);
    assert.equal(r.status, 201);
    assert.deepEqual(r.body.data, { a: 'b' });
    assert.equal(r.body.metadata.managedFields[0].manager, 'm');
    assert.equal((await call('GET', `${CM}/dry`)).status, 404);
  });

  it('through /status, records a status entry and leaves spec and its owner alone', async () => {
    const r = await call('PATCH', `${DEPLOY}/d/status?fieldManager=ctrl`, JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, status: { replicas: 3 }, spec: { replicas: 9 } }), APPLY);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.status, { replicas: 3 });
    assert.equal(r.body.spec.replicas, 1);
    const entries = r.body.metadata.managedFields.map((e: Record<string, unknown>) => [e.manager, e.operation, e.subresource, e.fieldsV1]);
    assert.deepEqual(entries[0], ['ctrl', 'Apply', 'status', { 'f:status': { 'f:replicas': {} } }]);
    assert.equal(entries[1][0], 'creator');
  });

  it('compares a manager in the field paths of the version it wrote through (HPA v1 vs v2)', async () => {
    const HPA = (v: string) => `/apis/autoscaling/${v}/namespaces/default/horizontalpodautoscalers/h`;
    const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
    const v1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: target, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } };
    const v2 = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h' },
      spec: { scaleTargetRef: target, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    };
    assert.equal((await call('PATCH', `${HPA('v1')}?fieldManager=old`, JSON.stringify(v1), APPLY)).status, 201);
    // The v2 writer changes the cpu target, which the v1 applier owns as targetCPUUtilizationPercentage.
    const clash = await call('PATCH', `${HPA('v2')}?fieldManager=new`, JSON.stringify(v2), APPLY);
    assert.equal(clash.status, 409);
    assert.equal(clash.body.message, 'Apply failed with 1 conflict: conflict with "old": .spec.targetCPUUtilizationPercentage');
    const forced = await call('PATCH', `${HPA('v2')}?fieldManager=new&force=true`, JSON.stringify(v2), APPLY);
    assert.equal(forced.status, 200);
    const old = forced.body.metadata.managedFields.find((e: { manager: string }) => e.manager === 'old');
    assert.deepEqual([old.apiVersion, old.fieldsV1], ['autoscaling/v1', { 'f:spec': { 'f:maxReplicas': {}, 'f:scaleTargetRef': {} } }]);
  });

  it('refuses what upstream refuses', async () => {
    const cases: Array<[string, string, Record<string, string>, number, string, string]> = [
      [`${DEPLOY}/d?fieldManager=x`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: "x"\n', APPLY, 400, 'BadRequest', 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32'],
      [`${DEPLOY}/d?fieldManager=x&fieldValidation=Strict`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  bogus: 1\n', APPLY, 400, 'BadRequest', 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.bogus"'],
      [`${DEPLOY}/d?fieldManager=x`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n', APPLY, 400, 'BadRequest', 'invalid object type: /v1, Kind=ConfigMap'],
      [`${DEPLOY}/d?fieldManager=x`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: other\n', APPLY, 400, 'BadRequest', 'the name of the object (other) does not match the name on the URL (d)'],
      [`${DEPLOY}/d?fieldManager=x`, '- a\n- b\n', APPLY, 400, 'BadRequest', 'error decoding YAML: json: cannot unmarshal array into Go value of type map[string]interface {}'],
      [`${DEPLOY}/d?fieldManager=x`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  managedFields:\n  - manager: x\n', APPLY, 400, 'BadRequest', 'metadata.managedFields must be nil'],
      [`${DEPLOY}/d`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n', APPLY, 422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'],
      [`${DEPLOY}/d?force=true`, '{"spec":{}}', { 'content-type': 'application/merge-patch+json' }, 422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'],
      [`${DEPLOY}/d?fieldManager=${'m'.repeat(129)}`, '{"spec":{}}', { 'content-type': 'application/merge-patch+json' }, 422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes'],
    ];
    for (const [path, body, headers, code, reason, message] of cases) {
      const r = await call('PATCH', path, body, headers);
      assert.deepEqual([r.status, r.body.reason, r.body.message], [code, reason, message], path);
    }
    const warn = await call('PATCH', `${DEPLOY}/d?fieldManager=x`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  bogus: 1\n', APPLY);
    assert.equal(warn.status, 200);
    assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"spec.bogus\\""');
  });
});
