/**
 * admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy and its binding: a beta
 * kube-apiserver 1.33 leaves off until --runtime-config turns it on (newer betas are
 * disabled by default), the same stored objects as v1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { servedResources } from '../../src/server/runtime-config.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const GV = 'admissionregistration.k8s.io/v1beta1';
const beta = (runtimeConfig: string): string[] =>
  servedResources(builtinDefinitions, runtimeConfig)
    .filter((s) => `${s.group}/${s.version}` === GV)
    .map((s) => s.resource);

describe('admissionregistration.k8s.io/v1beta1', () => {
  it('is off by default and on through its key, api/beta or api/all', () => {
    assert.deepEqual(beta(''), []);
    assert.deepEqual(beta(`${GV}=true`), ['validatingadmissionpolicies', 'validatingadmissionpolicybindings']);
    assert.deepEqual(beta('api/beta=true'), ['validatingadmissionpolicies', 'validatingadmissionpolicybindings']);
    assert.deepEqual(beta('api/all=true'), ['validatingadmissionpolicies', 'validatingadmissionpolicybindings']);
    assert.deepEqual(beta(`${GV}=true,${GV}/validatingadmissionpolicybindings=false`), ['validatingadmissionpolicies']);
  });

  describe('served', () => {
    let ts: TestServer;
    before(async () => {
      ts = await startTestServer({ runtimeConfig: `${GV}=true` });
    });
    after(async () => ts.stop());

    it('discovery prefers v1', async () => {
      const group = await api(ts.server, 'GET', '/apis/admissionregistration.k8s.io');
      assert.deepEqual(
        group.body.versions.map((v: { groupVersion: string }) => v.groupVersion),
        ['admissionregistration.k8s.io/v1', GV],
      );
      assert.equal(group.body.preferredVersion.groupVersion, 'admissionregistration.k8s.io/v1');
      const list = await api(ts.server, 'GET', `/apis/${GV}`);
      assert.deepEqual(
        list.body.resources.map((r: { name: string }) => r.name),
        ['validatingadmissionpolicies', 'validatingadmissionpolicies/status', 'validatingadmissionpolicybindings'],
      );
    });

    it('a policy written through v1beta1 reads back through v1 with the same defaults', async () => {
      const created = await api(ts.server, 'POST', `/apis/${GV}/validatingadmissionpolicies`, {
        apiVersion: GV,
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'beta-policy' },
        spec: {
          matchConstraints: { resourceRules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] },
          validations: [{ expression: 'true' }],
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.apiVersion, GV);
      const v1 = await api(ts.server, 'GET', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/beta-policy');
      assert.equal(v1.body.apiVersion, 'admissionregistration.k8s.io/v1');
      assert.equal(v1.body.spec.failurePolicy, 'Fail');
      assert.deepEqual(v1.body.spec.matchConstraints, {
        namespaceSelector: {},
        objectSelector: {},
        resourceRules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' }],
        matchPolicy: 'Equivalent',
      });
      assert.deepEqual(v1.body.spec, created.body.spec);

      const refused = await api(ts.server, 'POST', `/apis/${GV}/validatingadmissionpolicybindings`, {
        apiVersion: GV,
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'bad' },
        spec: { policyName: 'beta-policy', validationActions: ['Deny', 'Deny'] },
      });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.message, 'ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io "bad" is invalid: spec.validationActions[1]: Duplicate value: "Deny"');
    });
  });
});
