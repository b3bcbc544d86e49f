/**
 * What the handlers tell admission, through the real pipeline over a running server's
 * catalog with a recording chain in the handler settings: creates, status patches, `/scale`
 * as an autoscaling/v1 Scale, and action subresources (`pods/binding`) as a CREATE of the
 * subresource in its own kind, admitted (mutating then validating) before the action runs;
 * a mutating plugin's output is what gets stored, and a refused action changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiCall, ApiHandler, CallAction } from '../../src/endpoints/api-call.js';
import { createApiHandler } from '../../src/endpoints/pipeline.js';
import { ApiError } from '../../src/machinery/errors/index.js';
import { admissionChain, type AdmissionAttributes } from '../../src/registry/rest/admission.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const NS = 'attrs';
const alice = { name: 'alice', groups: ['system:authenticated'] };

describe('admission attributes from the handlers', () => {
  let ts: TestServer;
  let handler: ApiHandler;
  let seen: { phase: 'mutate' | 'validate'; a: AdmissionAttributes }[] = [];
  let refuseBindings = false;

  const call = (action: CallAction, target: Partial<ApiCall>, body?: unknown, contentType = 'application/json'): Promise<unknown> =>
    handler({
      action,
      group: '',
      version: 'v1',
      resource: 'configmaps',
      namespace: NS,
      credentials: { inProcess: true },
      user: alice,
      options: {},
      signal: new AbortController().signal,
      ...target,
      ...(body !== undefined ? { body: { type: 'encoded', data: Buffer.from(JSON.stringify(body)), contentType } } : {}),
    } as ApiCall);

  before(async () => {
    ts = await startTestServer();
    const recorder = admissionChain([
      {
        name: 'recorder',
        async mutate(a) {
          seen.push({ phase: 'mutate', a: structuredClone(a) });
          if (a.resource !== 'configmaps' || a.operation !== 'CREATE') return undefined;
          return { ...a.object!, metadata: { ...a.object!.metadata, labels: { admitted: 'yes' } } };
        },
        async validate(a) {
          seen.push({ phase: 'validate', a: structuredClone(a) });
          if (refuseBindings && a.subresource === 'binding') throw new ApiError('Forbidden', 'no binding today');
        },
      },
    ]);
    handler = createApiHandler(ts.server.catalog, [], { admission: recorder });
    const http = (method: string, path: string, body: unknown) => api(ts.server, method, path, body);
    assert.equal((await http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
    assert.equal((await http('POST', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })).status, 201);
    const d = await http('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    assert.equal(d.status, 201);
  });
  after(async () => {
    await ts.stop();
  });

  it('describes a create, and stores what the mutating plugins returned', async () => {
    seen = [];
    const result = (await call({ verb: 'create' }, { options: { fieldManager: 'me' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { k: 'v' } })) as { object: { metadata: { labels: unknown } } };
    assert.deepEqual(result.object.metadata.labels, { admitted: 'yes' });
    assert.deepEqual((await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/configmaps/cm`)).body.metadata.labels, { admitted: 'yes' });
    assert.equal(seen.length, 1);
    const { a } = seen[0]!;
    assert.deepEqual(
      { operation: a.operation, group: a.group, version: a.version, resource: a.resource, subresource: a.subresource, kind: a.kind, namespace: a.namespace, name: a.name, user: a.user, dryRun: a.dryRun, options: a.options },
      {
        operation: 'CREATE',
        group: '',
        version: 'v1',
        resource: 'configmaps',
        subresource: undefined,
        kind: { group: '', version: 'v1', kind: 'ConfigMap' },
        namespace: NS,
        name: 'cm',
        user: alice,
        dryRun: false,
        options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'me' },
      },
    );
    assert.deepEqual(a.object?.data, { k: 'v' });
    assert.equal(a.object?.kind, 'ConfigMap');
    assert.equal(a.oldObject, undefined);
  });

  it('describes a status patch as an UPDATE of the status subresource, with the stored object', async () => {
    seen = [];
    await call({ verb: 'patch' }, { resource: 'pods', name: 'p', subresource: 'status', patchType: 'merge' } as Partial<ApiCall>, { status: { phase: 'Running' } }, 'application/merge-patch+json');
    const { a } = seen[0]!;
    assert.equal(a.operation, 'UPDATE');
    assert.equal(a.subresource, 'status');
    assert.deepEqual(a.kind, { group: '', version: 'v1', kind: 'Pod' });
    assert.equal((a.object?.status as { phase: string }).phase, 'Running');
    assert.equal((a.oldObject?.status as { phase: string }).phase, 'Pending');
    assert.deepEqual(a.options, { kind: 'PatchOptions', apiVersion: 'meta.k8s.io/v1' });
  });

  it('describes /scale with autoscaling/v1 Scales before and after', async () => {
    seen = [];
    await call({ verb: 'update' }, { group: 'apps', resource: 'deployments', name: 'd', subresource: 'scale' }, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd', namespace: NS }, spec: { replicas: 3 } });
    const { a } = seen[0]!;
    assert.equal(a.operation, 'UPDATE');
    assert.equal(a.resource, 'deployments');
    assert.equal(a.subresource, 'scale');
    assert.deepEqual(a.kind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.equal(a.object?.kind, 'Scale');
    assert.equal(a.oldObject?.apiVersion, 'autoscaling/v1');
    assert.deepEqual(a.object?.spec, { replicas: 3 });
    assert.deepEqual(a.oldObject?.spec, { replicas: 1 });
  });

  it('admits pods/binding as a CREATE of the subresource in the Binding kind, mutating then validating, before the action', async () => {
    seen = [];
    refuseBindings = true;
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } };
    await assert.rejects(call({ verb: 'create' }, { resource: 'pods', name: 'p', subresource: 'binding' }, binding), { message: 'no binding today' });
    assert.equal((await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/pods/p`)).body.spec.nodeName, undefined);
    assert.deepEqual(
      seen.map(({ phase, a }) => [phase, a.operation, a.resource, a.subresource, a.kind.kind, a.name, a.object?.kind]),
      [
        ['mutate', 'CREATE', 'pods', 'binding', 'Binding', 'p', 'Binding'],
        ['validate', 'CREATE', 'pods', 'binding', 'Binding', 'p', 'Binding'],
      ],
    );
    refuseBindings = false;
    await call({ verb: 'create' }, { resource: 'pods', name: 'p', subresource: 'binding' }, binding);
    assert.equal((await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/pods/p`)).body.spec.nodeName, 'n1');
  });
});
