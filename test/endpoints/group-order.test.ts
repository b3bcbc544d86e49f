/**
 * Discovery lists groups, and versions within a group, in the order kube-apiserver's
 * aggregator gives them (upstream 1.33's APIService priorities): legacy `/apis`, aggregated
 * `/apis` (v2 and v2beta1), each group's preferred version; groups upstream's table does not
 * know (custom resources: priority 1000) come after every built-in group.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compareGroupsAggregated, compareVersionsInGroup, legacyGroupOrder } from '../../src/endpoints/group-priority.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

/** The built-in groups of kube-apiserver 1.33 in its /apis order (the output of a 1.33 cluster). */
const UPSTREAM_ORDER = [
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
];

describe('discovery group order', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ runtimeConfig: 'batch/v2alpha1=true' });
  });
  after(async () => {
    await ts.stop();
  });

  it('/apis lists the served built-in groups in upstream order', async () => {
    const r = await api(ts.server, 'GET', '/apis');
    const names: string[] = r.body.groups.map((g: { name: string }) => g.name);
    assert.deepEqual(names.filter((n) => !UPSTREAM_ORDER.includes(n)), [], 'groups upstream does not serve by default');
    assert.deepEqual(names, UPSTREAM_ORDER.filter((n) => names.includes(n)));
    assert.ok(names.length >= 10, names.join());
  });

  for (const v of ['v2', 'v2beta1']) {
    it(`aggregated discovery ${v} lists groups in the same order, resources by name`, async () => {
      const legacy = await api(ts.server, 'GET', '/apis');
      const accept = `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
      const r = await api(ts.server, 'GET', '/apis', undefined, { accept });
      assert.deepEqual(
        r.body.items.map((i: any) => i.metadata.name),
        legacy.body.groups.map((g: any) => g.name),
      );
      const apps = r.body.items.find((i: any) => i.metadata.name === 'apps');
      const resources = apps.versions[0].resources.map((x: any) => x.resource);
      assert.deepEqual(resources, [...resources].sort());
      assert.ok(resources.includes('deployments') && resources.includes('replicasets'), resources.join());
      const deployments = apps.versions[0].resources.find((x: any) => x.resource === 'deployments');
      assert.deepEqual(deployments.subresources.map((s: any) => s.subresource), ['scale', 'status']);
    });
  }

  it('orders versions within a group by upstream version priority', async () => {
    const r = await api(ts.server, 'GET', '/apis');
    const versions = (name: string) => r.body.groups.find((g: any) => g.name === name)?.versions.map((x: any) => x.version);
    assert.deepEqual(versions('autoscaling'), ['v2', 'v1']);
    assert.deepEqual(versions('batch'), ['v1', 'v1beta1', 'v2alpha1']);
    assert.deepEqual(r.body.groups.find((g: any) => g.name === 'autoscaling').preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
  });

  it('puts groups upstream does not list after the built-in ones, as a custom resource group', () => {
    const groups = [
      { name: 'zeta.example.com', versions: ['v1'] },
      { name: 'apps', versions: ['v1'] },
      { name: 'alpha.example.com', versions: ['v1beta1', 'v1'] },
      { name: 'flowcontrol.apiserver.k8s.io', versions: ['v1'] },
      { name: 'events.k8s.io', versions: ['v1'] },
    ];
    assert.deepEqual([...groups].sort(compareGroupsAggregated).map((g) => g.name), [
      'apps', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'alpha.example.com', 'zeta.example.com',
    ]);
    // /apis sorts APIServices by name (VERSION.GROUP) within a priority: v1.zeta… before v1beta1.alpha….
    assert.deepEqual(legacyGroupOrder([{ name: 'zeta.example.com', versions: ['v1'] }, { name: 'alpha.example.com', versions: ['v1beta1'] }]), [
      'zeta.example.com', 'alpha.example.com',
    ]);
    assert.ok(compareVersionsInGroup('example.com', 'v1', 'v1beta1') < 0);
    assert.ok(compareVersionsInGroup('autoscaling', 'v2', 'v1') < 0);
    assert.ok(compareVersionsInGroup('autoscaling', 'v2beta1', 'v2beta2') < 0, 'upstream ranks autoscaling/v2beta1 above v2beta2');
  });
});
