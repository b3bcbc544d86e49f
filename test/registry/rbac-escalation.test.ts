/** RBAC's coverage and compaction of rules, as upstream's rbac validation package (escalation prevention). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breakdownRule, compactRules, compactString, missingRules } from '../../src/registry/rbac/escalation.js';

describe('RBAC rule coverage (escalation prevention)', () => {
  it('breaks a rule down into one rule per group, resource, name and verb, and per URL and verb', () => {
    assert.deepEqual(breakdownRule({ apiGroups: ['', 'apps'], resources: ['pods'], verbs: ['get', 'list'], resourceNames: ['a'] }), [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: ['a'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'], resourceNames: ['a'] },
      { apiGroups: ['apps'], resources: ['pods'], verbs: ['get'], resourceNames: ['a'] },
      { apiGroups: ['apps'], resources: ['pods'], verbs: ['list'], resourceNames: ['a'] },
    ]);
    assert.deepEqual(breakdownRule({ nonResourceURLs: ['/a', '/b'], verbs: ['get'] }), [
      { nonResourceURLs: ['/a'], verbs: ['get'] },
      { nonResourceURLs: ['/b'], verbs: ['get'] },
    ]);
  });

  it('covers by star, exact match, */subresource, a held name list and URL prefixes', () => {
    const owned = [
      { apiGroups: ['*'], resources: ['*/status'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['*'], resourceNames: ['one', 'two'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
      { nonResourceURLs: ['/logs/*', '/healthz'], verbs: ['get'] },
    ];
    assert.deepEqual(missingRules(owned, [{ apiGroups: ['apps', 'batch'], resources: ['deployments/status', 'jobs/status'], verbs: ['get'] }]), []);
    assert.deepEqual(missingRules(owned, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['delete'], resourceNames: ['one'] }]), []);
    // A rule without names grants every name: holding some names does not cover it.
    assert.deepEqual(missingRules(owned, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]), [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    assert.deepEqual(missingRules(owned, [{ nonResourceURLs: ['/logs/kubelet', '/healthz', '/healthz/etcd'], verbs: ['get'] }]), [{ nonResourceURLs: ['/healthz/etcd'], verbs: ['get'] }]);
    assert.deepEqual(missingRules(owned, [{ apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['list', 'watch'] }]), [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['watch'] },
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['list'] },
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['watch'] },
    ]);
  });

  it('compacts simple rules by resource and words them as upstream', () => {
    const missing = missingRules([], [
      { apiGroups: [''], resources: ['secrets', 'pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['x', 'y'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
    assert.deepEqual(compactRules(missing).map(compactString), [
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
      '{APIGroups:[""], Resources:["secrets"], ResourceNames:["x"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["secrets"], ResourceNames:["y"], Verbs:["get"]}',
    ]);
  });
});
