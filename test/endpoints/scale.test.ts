/**
 * The `/scale` subresource (autoscaling/v1 Scale) of deployments over HTTP — get, update,
 * patch, conflicts, validation, discovery, OpenAPI — and with real kubectl 1.33 and 1.31.
 */
import { deploymentManifest as deployment, failureStatus as failure } from '../helpers/objects.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const MERGE = { 'content-type': 'application/merge-patch+json' };
const RW = ['get', 'patch', 'update'];
const KUBECTL_DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

/** The Scale upstream answers for a deployment, given its stored form. */
function expectedScale(parent: Json, specReplicas: number, selector: string): Json {
  const m = parent.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: specReplicas },
    status: { replicas: 0, selector },
  };
}

/** A PUT the way kubectl scale --current-replicas sends it: no Content-Type header at all. */
async function putWithoutContentType(t: TestServer, path: string, body: unknown): Promise<{ status: number; body: any }> {
  // A byte body keeps fetch from adding a text/plain Content-Type.
  const res = await fetch(t.server.url + path, { method: 'PUT', headers: { accept: 'application/json' }, body: new TextEncoder().encode(JSON.stringify(body)) });
  return { status: res.status, body: await res.json() };
}

describe('deployments/scale over HTTP', () => {
  let t: TestServer;
  const get = async (name: string): Promise<Json> => {
    const r = await api(t.server, 'GET', `${DEPLOY}/${name}`);
    assert.equal(r.status, 200);
    return r.body;
  };
  const create = async (name: string, replicas: number): Promise<Json> => {
    const r = await api(t.server, 'POST', DEPLOY, deployment(name, replicas));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.stop();
  });

  it('GET answers the Scale built from the deployment', async () => {
    const parent = await create('web', 2);
    const r = await api(t.server, 'GET', `${DEPLOY}/web/scale`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, expectedScale(parent, 2, 'app=web'));
  });

  it('prints the Scale as a Table with Desired and Available columns', async () => {
    await create('tabled', 3);
    const r = await api(t.server, 'GET', `${DEPLOY}/tabled/scale`, undefined, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'Table');
    assert.deepEqual(
      r.body.columnDefinitions.map((c: { name: string }) => c.name),
      ['Name', 'Desired', 'Available', 'Age'],
    );
    assert.deepEqual(r.body.rows[0].cells.slice(0, 3), ['tabled', 3, 0]);
  });

  it('prints set-based selectors sorted by key, values sorted', async () => {
    const d = deployment('sel', 1);
    d.spec.selector = { matchLabels: { tier: 'fe', app: 'sel' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'zz', operator: 'DoesNotExist' }] };
    d.spec.template.metadata.labels = { app: 'sel', tier: 'fe', env: 'dev' };
    const c = await api(t.server, 'POST', DEPLOY, d);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const r = await api(t.server, 'GET', `${DEPLOY}/sel/scale`);
    assert.equal(r.body.status.selector, 'app=sel,env in (dev,prod),tier=fe,!zz');
  });

  it('merge PATCH (kubectl scale) writes spec.replicas, bumps generation and answers the new Scale', async () => {
    const before = await get('web');
    const r = await api(t.server, 'PATCH', `${DEPLOY}/web/scale`, { spec: { replicas: 5 } }, MERGE);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const after = await get('web');
    assert.equal(after.spec.replicas, 5);
    assert.equal(after.metadata.generation, before.metadata.generation + 1);
    assert.notEqual(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.deepEqual(r.body, expectedScale(after, 5, 'app=web'));
  });

  it('json and strategic patches apply to the Scale document', async () => {
    const json = await api(t.server, 'PATCH', `${DEPLOY}/web/scale`, [{ op: 'replace', path: '/spec/replicas', value: 4 }], {
      'content-type': 'application/json-patch+json',
    });
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assert.equal(json.body.spec.replicas, 4);
    const smp = await api(t.server, 'PATCH', `${DEPLOY}/web/scale`, { spec: { replicas: 6 } }, {
      'content-type': 'application/strategic-merge-patch+json',
    });
    assert.equal(smp.status, 200, JSON.stringify(smp.body));
    assert.equal(smp.body.spec.replicas, 6);
    assert.equal((await get('web')).spec.replicas, 6);
  });

  it('PUT without Content-Type takes a Scale with the current resourceVersion', async () => {
    const scale = (await api(t.server, 'GET', `${DEPLOY}/web/scale`)).body;
    const r = await putWithoutContentType(t, `${DEPLOY}/web/scale`, { ...scale, spec: { replicas: 3 } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const after = await get('web');
    assert.equal(after.spec.replicas, 3);
    assert.deepEqual(r.body, expectedScale(after, 3, 'app=web'));
  });

  it('PUT with a stale resourceVersion is a 409 Conflict with upstream message', async () => {
    const stale = (await api(t.server, 'GET', `${DEPLOY}/web/scale`)).body;
    await api(t.server, 'PATCH', `${DEPLOY}/web/scale`, { spec: { replicas: 7 } }, MERGE);
    const r = await putWithoutContentType(t, `${DEPLOY}/web/scale`, { ...stale, spec: { replicas: 1 } });
    assert.equal(r.status, 409);
    assert.deepEqual(
      r.body,
      failure(409, 'Conflict', 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again', {
        name: 'web',
        group: 'apps',
        kind: 'deployments',
      }),
    );
    assert.equal((await get('web')).spec.replicas, 7);
  });

  it('PUT without a resourceVersion is unconditional; a wrong uid is a Conflict', async () => {
    const ok = await api(t.server, 'PUT', `${DEPLOY}/web/scale`, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 2 } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.spec.replicas, 2);
    const uid = (await get('web')).metadata.uid;
    const bad = await api(t.server, 'PUT', `${DEPLOY}/web/scale`, { metadata: { name: 'web', uid: 'other' }, spec: { replicas: 9 } });
    assert.equal(bad.status, 409);
    assert.equal(bad.body.message, `Operation cannot be fulfilled on deployments/scale.apps "web": Precondition failed: UID in precondition: other, UID in object meta: ${uid}`);
  });

  it('rejects a body of another kind, unknown fields under Strict, and a name that differs from the URL', async () => {
    const kind = await api(t.server, 'PUT', `${DEPLOY}/web/scale`, { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1 } });
    assert.equal(kind.status, 400);
    assert.equal(kind.body.message, 'Deployment in version "v1" cannot be handled as a Scale: the kind in the body does not match the resource');
    const strict = await api(t.server, 'PATCH', `${DEPLOY}/web/scale?fieldValidation=Strict`, { spec: { replicas: 1, bogus: 1 } }, MERGE);
    assert.equal(strict.status, 400);
    assert.equal(strict.body.message, 'Scale in version "v1" cannot be handled as a Scale: strict decoding error: unknown field "spec.bogus"');
    const warn = await api(t.server, 'PATCH', `${DEPLOY}/web/scale`, { spec: { replicas: 1, bogus: 1 } }, MERGE);
    assert.equal(warn.status, 200);
    assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"spec.bogus\\""');
    const name = await api(t.server, 'PUT', `${DEPLOY}/web/scale`, { metadata: { name: 'other' }, spec: { replicas: 1 } });
    assert.equal(name.status, 400);
    assert.equal(name.body.message, 'the name of the object (other) does not match the name on the URL (web)');
  });

  it('negative replicas are a 422 on the Scale with upstream message', async () => {
    const r = await api(t.server, 'PATCH', `${DEPLOY}/web/scale`, { spec: { replicas: -1 } }, MERGE);
    assert.equal(r.status, 422);
    assert.deepEqual(
      r.body,
      failure(422, 'Invalid', 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0', {
        name: 'web',
        group: 'autoscaling',
        kind: 'Scale',
        causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }],
      }),
    );
  });

  it('dryRun answers the would-be Scale without storing it', async () => {
    const before = await get('web');
    const r = await api(t.server, 'PATCH', `${DEPLOY}/web/scale?dryRun=All`, { spec: { replicas: 8 } }, MERGE);
    assert.equal(r.status, 200);
    assert.equal(r.body.spec.replicas, 8);
    assert.deepEqual(await get('web'), before);
  });

  it('a missing deployment is a 404 with upstream message', async () => {
    for (const [method, body, headers] of [
      ['GET', undefined, {}],
      ['PATCH', { spec: { replicas: 1 } }, MERGE],
      ['PUT', { spec: { replicas: 1 } }, {}],
    ] as const) {
      const r = await api(t.server, method, `${DEPLOY}/x/scale`, body, headers);
      assert.equal(r.status, 404, method);
      assert.deepEqual(r.body, failure(404, 'NotFound', 'deployments.apps "x" not found', { name: 'x', group: 'apps', kind: 'deployments' }), method);
    }
  });

  it('serves no other verbs on /scale', async () => {
    const r = await api(t.server, 'DELETE', `${DEPLOY}/web/scale`);
    assert.equal(r.status, 405);
    assert.equal(r.body.message, 'delete is not supported on resources of kind "deployments/scale.apps"');
  });

  it('legacy discovery lists deployments/scale as autoscaling/v1 Scale', async () => {
    const r = await api(t.server, 'GET', '/apis/apps/v1');
    const names = r.body.resources.map((x: Json) => x.name).filter((n: string) => n.startsWith('deployments'));
    assert.deepEqual(names, ['deployments', 'deployments/scale', 'deployments/status']);
    const scale = r.body.resources.find((x: Json) => x.name === 'deployments/scale');
    assert.equal(
      JSON.stringify(scale),
      '{"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get","patch","update"]}',
    );
    const core = await api(t.server, 'GET', '/api/v1');
    // In core/v1 only ReplicationControllers scale, as upstream.
    assert.deepEqual(core.body.resources.filter((x: Json) => x.name.endsWith('/scale')), [
      { name: 'replicationcontrollers/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    ]);
  });

  for (const v of ['v2', 'v2beta1'] as const) {
    it(`aggregated discovery ${v} has the scale subresource with responseKind autoscaling/v1 Scale`, async () => {
      const accept = v === 'v2' ? KUBECTL_DISCOVERY_ACCEPT : 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
      const r = await api(t.server, 'GET', '/apis', undefined, { accept });
      const apps = r.body.items.find((i: Json) => i.metadata.name === 'apps');
      const deploy = apps.versions[0].resources.find((x: Json) => x.resource === 'deployments');
      assert.deepEqual(deploy.subresources, [
        { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: RW },
        { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: RW },
      ]);
    });
  }

  it('OpenAPI v3 for apps/v1 has the scale paths typed as autoscaling/v1 Scale', async () => {
    const r = await api(t.server, 'GET', '/openapi/v3/apis/apps/v1');
    assert.equal(r.status, 200);
    const path = r.body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    assert.ok(path, 'scale path missing');
    const ref = { $ref: '#/components/schemas/io.k8s.api.autoscaling.v1.Scale' };
    const gvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    assert.deepEqual(Object.keys(path).sort(), ['get', 'parameters', 'patch', 'put']);
    assert.equal(path.get.operationId, 'readAppsV1NamespacedDeploymentScale');
    assert.equal(path.put.operationId, 'replaceAppsV1NamespacedDeploymentScale');
    assert.equal(path.patch.operationId, 'patchAppsV1NamespacedDeploymentScale');
    for (const op of [path.get, path.put, path.patch]) {
      assert.deepEqual(op['x-kubernetes-group-version-kind'], gvk);
      assert.deepEqual(op.responses['200'].content['application/json'].schema, ref);
    }
    assert.deepEqual(path.put.requestBody.content['*/*'].schema, ref);
    assert.ok(path.patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.deepEqual(Object.keys(path.patch.requestBody.content).sort(), [
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
    assert.equal(path.parameters[0].description, 'name of the Scale');
    const schemas = r.body.components.schemas;
    const scale = schemas['io.k8s.api.autoscaling.v1.Scale'];
    assert.deepEqual(scale['x-kubernetes-group-version-kind'], [gvk]);
    assert.deepEqual(Object.keys(scale.properties).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    assert.ok(schemas['io.k8s.api.autoscaling.v1.ScaleSpec']);
    assert.ok(schemas['io.k8s.api.autoscaling.v1.ScaleStatus']);
    // The status subresource keeps the parent kind.
    const status = r.body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'];
    assert.deepEqual(status.get['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  });
});

for (const minor of [33, 31]) {
  describe(`kubectl 1.${minor} scale`, () => {
    let t: TestServer;
    let kubeconfig: string;
    const replicas = async (): Promise<number> => (await api(t.server, 'GET', `${DEPLOY}/web`)).body.spec.replicas;

    before(async () => {
      t = await startTestServer();
      kubeconfig = t.server.kubeconfigPath;
      const c = await api(t.server, 'POST', DEPLOY, deployment('web', 1));
      assert.equal(c.status, 201);
    });
    after(async () => {
      await t.stop();
    });

    it('kubectl scale --replicas=5', async () => {
      const r = await runKubectl(minor, kubeconfig, ['scale', 'deployment', 'web', '--replicas=5']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'deployment.apps/web scaled');
      assert.equal(await replicas(), 5);
    });

    it('kubectl scale --current-replicas checks the current count, then PUTs the Scale', async () => {
      const wrong = await runKubectl(minor, kubeconfig, ['scale', 'deployment', 'web', '--current-replicas=4', '--replicas=3']);
      assert.equal(wrong.code, 1);
      assert.equal(wrong.stderr.trim(), 'error: Expected replicas to be 4, was 5');
      assert.equal(await replicas(), 5);
      const right = await runKubectl(minor, kubeconfig, ['scale', 'deployment', 'web', '--current-replicas=5', '--replicas=3']);
      assert.equal(right.code, 0, right.stderr);
      assert.equal(right.stdout.trim(), 'deployment.apps/web scaled');
      assert.equal(await replicas(), 3);
    });

    it('kubectl patch --subresource=scale --type=merge', async () => {
      const r = await runKubectl(minor, kubeconfig, ['patch', 'deploy', 'web', '--subresource=scale', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'scale.autoscaling/web patched');
      assert.equal(await replicas(), 2);
    });

    it('kubectl get --subresource=scale -o json prints the Scale', async () => {
      const r = await runKubectl(minor, kubeconfig, ['get', 'deploy', 'web', '--subresource=scale', '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const scale = JSON.parse(r.stdout);
      assert.equal(scale.kind, 'Scale');
      assert.equal(scale.apiVersion, 'autoscaling/v1');
      assert.deepEqual(scale.spec, { replicas: 2 });
      assert.deepEqual(scale.status, { replicas: 0, selector: 'app=web' });
    });
  });
}
