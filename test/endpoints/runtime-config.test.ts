/** --runtime-config: which API versions are served. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import type { ResourceDefinition } from '../../src/registry/rest/definition.js';
import type { ServedResource } from '../../src/registry/rest/served.js';
import { checkRuntimeConfig, parseRuntimeConfig, RuntimeConfigError, servedResources } from '../../src/server/runtime-config.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const gvs = (defs: ServedResource[]): string[] => [...new Set(defs.map((d) => (d.group ? `${d.group}/${d.version}` : d.version)))];

describe('runtime-config', () => {
  it('serves stable versions by default and never alpha ones', () => {
    assert.deepEqual(gvs(servedResources(builtinDefinitions, '')).sort(), ['admissionregistration.k8s.io/v1', 'apps/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'batch/v1beta1', 'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1', 'networking.k8s.io/v1', 'node.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1', 'v1']);
    const jobs = builtinDefinitions.find((d) => d.resource === 'jobs')!;
    const v1 = jobs.versions[0]!;
    const multi: ResourceDefinition = { ...jobs, versions: [{ ...v1, version: 'v2alpha1' }, { ...v1, version: 'v1beta1' }, v1] };
    assert.deepEqual(gvs(servedResources([multi], '')), ['batch/v1beta1', 'batch/v1']);
    assert.deepEqual(gvs(servedResources([multi], 'batch/v2alpha1=true')), ['batch/v2alpha1', 'batch/v1beta1', 'batch/v1']);
    assert.deepEqual(gvs(servedResources([multi], 'api/alpha=true,api/beta=false')), ['batch/v2alpha1', 'batch/v1']);
    assert.deepEqual(gvs(servedResources([multi], 'api/alpha,api/ga=false')), ['batch/v2alpha1', 'batch/v1beta1']);
  });

  it('serves with api/all=true every group version kube-apiserver 1.33 can serve, and only those', () => {
    // Upstream 1.33's full list, less what later issues add (apiextensions.k8s.io,
    // apiregistration.k8s.io) and the review groups' older versions, plus the seed's
    // batch/v1beta1 and batch/v2alpha1.
    const upstream133 = [
      'admissionregistration.k8s.io/v1', 'admissionregistration.k8s.io/v1alpha1', 'admissionregistration.k8s.io/v1beta1',
      'apps/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1',
      'certificates.k8s.io/v1', 'certificates.k8s.io/v1alpha1', 'certificates.k8s.io/v1beta1',
      'coordination.k8s.io/v1', 'coordination.k8s.io/v1alpha2', 'coordination.k8s.io/v1beta1',
      'discovery.k8s.io/v1', 'events.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1', 'internal.apiserver.k8s.io/v1alpha1',
      'networking.k8s.io/v1', 'networking.k8s.io/v1beta1', 'node.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1',
      'resource.k8s.io/v1alpha3', 'resource.k8s.io/v1beta1', 'resource.k8s.io/v1beta2', 'scheduling.k8s.io/v1',
      'storage.k8s.io/v1', 'storage.k8s.io/v1alpha1', 'storage.k8s.io/v1beta1', 'storagemigration.k8s.io/v1alpha1', 'v1',
    ];
    assert.deepEqual(gvs(servedResources(builtinDefinitions, 'api/all=true')).sort(), [...upstream133, 'batch/v1beta1', 'batch/v2alpha1'].sort());
    // Each of those betas and alphas is off by default, as upstream keeps them.
    const byDefault = new Set(gvs(servedResources(builtinDefinitions, '')));
    assert.deepEqual(upstream133.filter((gv) => /\/v\d+(alpha|beta)\d+$/.test(gv) && byDefault.has(gv)), []);
  });

  it('leaves betas upstream keeps off (offByDefault) off until named or api/beta', () => {
    const vac = (config: string) => servedResources(builtinDefinitions, config).filter((d) => d.resource === 'volumeattributesclasses').map((d) => `${d.group}/${d.version}`);
    assert.deepEqual(vac(''), []);
    assert.deepEqual(vac('storage.k8s.io/v1beta1=true'), ['storage.k8s.io/v1beta1']);
    assert.deepEqual(vac('storage.k8s.io/v1beta1/volumeattributesclasses=true'), ['storage.k8s.io/v1beta1']);
    assert.deepEqual(vac('api/beta=true'), ['storage.k8s.io/v1beta1']);
    assert.deepEqual(vac('api/beta=true,storage.k8s.io/v1beta1=false'), []);
  });

  it('turns group versions and single resources off; namespaces always stay', () => {
    assert.deepEqual(gvs(servedResources(builtinDefinitions, 'batch/v1=false,batch/v1beta1=false')).sort(), ['admissionregistration.k8s.io/v1', 'apps/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1', 'networking.k8s.io/v1', 'node.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1', 'v1']);
    assert.ok(!gvs(servedResources(builtinDefinitions, 'batch/v1=false')).includes('batch/v1'));
    const batchV1 = servedResources(builtinDefinitions, 'batch/v1/cronjobs=false').filter((d) => d.group === 'batch' && d.version === 'v1');
    assert.deepEqual(
      batchV1.map((d) => d.resource),
      ['jobs'],
    );
    assert.deepEqual(servedResources(builtinDefinitions, 'api/all=false').map((d) => d.resource), ['namespaces']);
    assert.throws(() => servedResources(builtinDefinitions, 'batch/v1=maybe'), RuntimeConfigError);
  });

  it('refuses keys that name nothing served, so a typo is not silently ignored', () => {
    const check = (rc: string): void => checkRuntimeConfig(parseRuntimeConfig(rc), builtinDefinitions);
    check('api/all=false,api/alpha=true,api/beta=false,api/ga=true,v1=true,batch/v2alpha1=true,batch/v1/cronjobs=false,apps/v1');
    assert.throws(() => check('batch/v2alpa1=true,foo/v1=false'), {
      name: 'Error',
      message: 'unknown API group versions or resources in --runtime-config: batch/v2alpa1, foo/v1',
    });
    assert.throws(() => check('batch/v1/widgets=false'), /unknown API group versions or resources in --runtime-config: batch\/v1\/widgets/);
  });

  describe('a server started with batch/v1=false,batch/v1beta1=false', () => {
    let ts: TestServer;
    before(async () => {
      ts = await startTestServer({ runtimeConfig: 'batch/v1=false,batch/v1beta1=false' });
    });
    after(async () => ts.stop());

    it('leaves batch out of discovery and routing', async () => {
      const groups = await api(ts.server, 'GET', '/apis');
      assert.deepEqual(
        groups.body.groups.map((g: { name: string }) => g.name),
        // upstream's APIService priority order
        ['apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'admissionregistration.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io'],
      );
      const gv = await api(ts.server, 'GET', '/apis/batch/v1');
      assert.equal(gv.status, 404);
      const jobs = await api(ts.server, 'GET', '/apis/batch/v1/namespaces/default/jobs');
      assert.equal(jobs.status, 404);
      assert.equal(jobs.body.reason, 'NotFound');
      assert.equal(jobs.body.message, 'the server could not find the requested resource');
    });
  });
});
