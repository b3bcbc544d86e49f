import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinDefinitions } from '../../src/registry/definitions.js';

describe('builtin definitions', () => {
  it('lists every resource once, core first, in a stable order', () => {
    assert.deepEqual(
      builtinDefinitions.map((d) => `${d.group || 'core'}/${d.resource}`),
      [
        'core/namespaces',
        'core/configmaps',
        'core/secrets',
        'core/pods',
        'core/services',
        'core/endpoints',
        'core/serviceaccounts',
        'core/events',
        'core/nodes',
        'apps/deployments',
        'batch/jobs',
        'batch/cronjobs',
      ],
    );
  });

  it('uses upstream protobuf type names and list kinds', () => {
    for (const d of builtinDefinitions) {
      const pkg = d.group || 'core';
      assert.equal(d.typeName, `k8s.io.api.${pkg}.v1.${d.kind}`);
      assert.equal(d.listTypeName, `k8s.io.api.${pkg}.v1.${d.kind}List`);
      assert.equal(d.listKind, `${d.kind}List`);
      assert.equal(d.version, 'v1');
      assert.equal(d.singular, d.resource === 'endpoints' ? 'endpoints' : d.kind.toLowerCase());
    }
  });

  it('puts exactly the upstream resources in the all category', () => {
    assert.deepEqual(
      builtinDefinitions.filter((d) => d.categories?.includes('all')).map((d) => d.resource),
      ['pods', 'services', 'deployments', 'jobs', 'cronjobs'],
    );
  });

  it('has the upstream short names', () => {
    const short = Object.fromEntries(builtinDefinitions.map((d) => [d.resource, d.shortNames ?? []]));
    assert.deepEqual(short, {
      namespaces: ['ns'],
      configmaps: ['cm'],
      secrets: [],
      pods: ['po'],
      services: ['svc'],
      endpoints: ['ep'],
      serviceaccounts: ['sa'],
      events: ['ev'],
      nodes: ['no'],
      deployments: ['deploy'],
      jobs: [],
      cronjobs: ['cj'],
    });
  });
});
