import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { servedViews } from '../../src/registry/rest/served.js';

describe('builtin definitions', () => {
  it('names each resource once per group', () => {
    const keys = builtinDefinitions.map((d) => `${d.group}/${d.resource}`);
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(builtinDefinitions[0]?.resource, 'namespaces');
  });

  it('uses upstream protobuf type names and list kinds in every version', () => {
    for (const d of builtinDefinitions) {
      assert.ok(d.versions.some((v) => v.version === d.storageVersion), `${d.resource}: storage version ${d.storageVersion} is served`);
      for (const served of servedViews(d)) {
        // Upstream's Go package: the group's first label, except internal.apiserver.k8s.io's.
        const pkg = served.group === 'internal.apiserver.k8s.io' ? 'apiserverinternal' : served.group.split('.')[0] || 'core';
        // A version may serve another version's message (batch/v2alpha1 Job is batch/v1's).
        assert.match(served.typeName, new RegExp(`^k8s\\.io\\.api\\.${pkg}\\.v\\w+\\.\\w+$`));
        // A create-only resource (bindings, the reviews) has no list message, as upstream has no BindingList.
        if (served.definition.disabledVerbs?.includes('list')) assert.equal(served.listTypeName, '');
        else assert.equal(served.listTypeName, `${served.typeName}List`);
        assert.equal(served.listKind, `${served.kind}List`);
        assert.ok(served.typeName.endsWith(`.${served.definition.kind}`), `${served.typeName} holds ${served.definition.kind}`);
        assert.equal(served.singular, served.resource === 'endpoints' ? 'endpoints' : served.kind.toLowerCase());
      }
    }
  });

  it('puts exactly the upstream resources in the all category', () => {
    assert.deepEqual(
      builtinDefinitions.filter((d) => d.categories?.includes('all')).map((d) => d.resource),
      ['pods', 'services', 'replicationcontrollers', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'horizontalpodautoscalers', 'jobs', 'cronjobs'],
    );
  });

  it('has the upstream short names', () => {
    const short = Object.fromEntries(builtinDefinitions.map((d) => [d.resource, d.shortNames ?? []]));
    assert.deepEqual(short, {
      tokenreviews: [],
      selfsubjectreviews: [],
      subjectaccessreviews: [],
      selfsubjectaccessreviews: [],
      localsubjectaccessreviews: [],
      selfsubjectrulesreviews: [],
      namespaces: ['ns'],
      configmaps: ['cm'],
      secrets: [],
      pods: ['po'],
      services: ['svc'],
      endpoints: ['ep'],
      serviceaccounts: ['sa'],
      events: ['ev'],
      limitranges: ['limits'],
      resourcequotas: ['quota'],
      replicationcontrollers: ['rc'],
      nodes: ['no'],
      persistentvolumes: ['pv'],
      persistentvolumeclaims: ['pvc'],
      podtemplates: [],
      bindings: [],
      componentstatuses: ['cs'],
      deployments: ['deploy'],
      replicasets: ['rs'],
      statefulsets: ['sts'],
      daemonsets: ['ds'],
      controllerrevisions: [],
      horizontalpodautoscalers: ['hpa'],
      jobs: [],
      cronjobs: ['cj'],
      roles: [],
      clusterroles: [],
      rolebindings: [],
      clusterrolebindings: [],
      priorityclasses: ['pc'],
      leases: [],
      leasecandidates: [],
      certificatesigningrequests: ['csr'],
      clustertrustbundles: [],
      mutatingwebhookconfigurations: [],
      validatingwebhookconfigurations: [],
      validatingadmissionpolicies: [],
      validatingadmissionpolicybindings: [],
      mutatingadmissionpolicies: [],
      mutatingadmissionpolicybindings: [],
      poddisruptionbudgets: ['pdb'],
      ingresses: ['ing'],
      ingressclasses: [],
      networkpolicies: ['netpol'],
      ipaddresses: ['ip'],
      servicecidrs: [],
      endpointslices: [],
      runtimeclasses: [],
      storageclasses: ['sc'],
      volumeattachments: [],
      csidrivers: [],
      csinodes: [],
      csistoragecapacities: [],
      volumeattributesclasses: ['vac'],
      deviceclasses: [],
      resourceclaims: [],
      resourceclaimtemplates: [],
      resourceslices: [],
      devicetaintrules: [],
      flowschemas: [],
      prioritylevelconfigurations: [],
      storageversionmigrations: [],
      storageversions: [],
    });
  });
});
