/** The generated per-kind surfaces agree with the registry, and a missing one fails loudly. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESOURCES } from '../../gen/resources.js';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { servedViews, storageView } from '../../src/registry/rest/served.js';
import { factDifferences, serviceForDefinition } from '../../src/transports/grpc/services.js';

describe('generated resource facts', () => {
  it('agree with every built-in definition', () => {
    for (const def of builtinDefinitions.flatMap(servedViews)) assert.deepEqual(factDifferences(def), [], `${def.group}/${def.version} ${def.resource}`);
  });

  it('declare exactly one storage version per resource, each version with a service of its package', () => {
    for (const r of RESOURCES) {
      assert.equal(r.versions.filter((v) => v.storage).length, r.aliasOf === undefined ? 1 : 0, r.resource);
      for (const v of r.versions) {
        assert.equal(v.service.name, `wheelhouse.${r.group === '' ? 'core' : r.group.split('.')[0]}.${v.version}.${r.kind}Service`);
        const methods = Object.keys(v.service.definition);
        // A declaration that names its verbs (componentstatuses: get, list) has only their methods.
        const verbs = r.verbs ?? ['get', 'list', 'create', 'update', 'patch', 'delete', 'deletecollection', 'watch'];
        for (const m of ['get', 'list', 'create', 'update', 'patch', 'delete', 'deleteCollection', 'watch']) {
          assert.equal(methods.includes(m), verbs.includes(m.toLowerCase()), `${v.service.name}.${m}`);
        }
        assert.equal(methods.includes('updateStatus'), r.subresources.includes('status'), v.service.name);
        assert.equal(methods.includes('getScale'), r.subresources.includes('scale'), v.service.name);
        // Exactly one Create<Action> method per declared action subresource.
        const actionMethods = methods.filter((m) => /^create[A-Z]/.test(m)).sort();
        assert.deepEqual(actionMethods, (r.actions ?? []).map((a) => a.method).sort(), v.service.name);
        for (const a of r.actions ?? []) assert.ok(r.subresources.includes(a.subresource), `${v.service.name}: ${a.subresource}`);
      }
    }
  });

  it('refuse a served version without a generated service', () => {
    const first = storageView(builtinDefinitions[0]!);
    assert.throws(() => serviceForDefinition({ ...first, version: 'v9' }), /no gRPC service is generated for core\/v9 namespaces/);
    assert.throws(() => serviceForDefinition({ ...first, shortNames: ['x'] }), /disagrees with proto\/wheelhouse\/resources.yaml: shortNames/);
    // An action whose body kind is not the declared body message disagrees too.
    const pods = builtinDefinitions.flatMap(servedViews).find((d) => d.group === '' && d.resource === 'pods')!;
    const actions = (pods.actions ?? []).map((a) => (a.name === 'eviction' ? { ...a, kind: { ...a.kind, typeName: 'k8s.io.api.policy.v1beta1.Eviction' } } : a));
    assert.throws(() => serviceForDefinition({ ...pods, actions }), /disagrees with proto\/wheelhouse\/resources.yaml: actions/);
  });
});
