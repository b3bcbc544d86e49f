/**
 * ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) enforced with CEL: a policy
 * `object.spec.replicas <= 5` bound with Deny refuses a Deployment of 6 replicas with upstream's
 * wording and admits 5, on create and update, over HTTP, gRPC and kubectl; the validation's
 * reason and messageExpression; parameters from a ConfigMap; namespaceObject and request;
 * match conditions; binding matchResources; evaluation errors under Fail and Ignore; the
 * policies in force from the first request after a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { Deployment } from '../../gen/k8s/io/api/apps/v1/generated.js';
import { DeploymentServiceClient } from '../../gen/wheelhouse/apps/v1/services.js';
import { grpcFailure, toMessage, unary } from '../parity/grpc-helpers.js';
import { runKubectl } from '../helpers/kubectl.js';
import { deploymentManifest, failureStatus } from '../helpers/objects.js';
import { api, grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { eventually } from '../helpers/eventually.js';

type Json = Record<string, any>;

const POLICIES = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies';
const BINDINGS = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

const deploymentRules = [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }];

describe('ValidatingAdmissionPolicy', () => {
  let ts: TestServer;

  const policy = async (name: string, spec: Json): Promise<void> => {
    const res = await api(ts.server, 'POST', POLICIES, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  };
  const binding = async (name: string, spec: Json): Promise<void> => {
    const res = await api(ts.server, 'POST', BINDINGS, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  };
  const drop = async (name: string): Promise<void> => {
    assert.equal((await api(ts.server, 'DELETE', `${BINDINGS}/${name}-binding`)).status, 200);
    assert.equal((await api(ts.server, 'DELETE', `${POLICIES}/${name}`)).status, 200);
  };
  /** Creates deployments named PREFIX-N until one is refused (the policy is in force); returns the refusal. */
  const refusalOf = async (prefix: string, make: (name: string) => Json, path = DEPLOYMENTS): Promise<{ name: string; status: number; body: any }> => {
    let n = 0;
    let out: { name: string; status: number; body: any } | undefined;
    await eventually(`${prefix} to be refused`, async () => {
      const name = `${prefix}-${n++}`;
      const res = await api(ts.server, 'POST', path, make(name));
      out = { name, status: res.status, body: res.body };
      return res.status !== 201;
    });
    return out!;
  };

  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts?.stop();
  });

  it('object.spec.replicas <= 5 bound with Deny refuses 6 replicas with its message and admits 5', async () => {
    await policy('replicas-limit', {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: deploymentRules },
      validations: [{ expression: 'object.spec.replicas <= 5', message: 'replicas must be no greater than 5' }],
    });
    await binding('replicas-limit-binding', { policyName: 'replicas-limit', validationActions: ['Deny'] });
    const refused = await refusalOf('six', (name) => deploymentManifest(name, 6));
    const inner = "ValidatingAdmissionPolicy 'replicas-limit' with binding 'replicas-limit-binding' denied request: replicas must be no greater than 5";
    assert.equal(refused.status, 422);
    assert.deepEqual(
      refused.body,
      failureStatus(422, 'Invalid', `deployments.apps "${refused.name}" is forbidden: ${inner}`, { name: refused.name, group: 'apps', kind: 'deployments', causes: [{ message: inner }] }),
    );
    assert.equal((await api(ts.server, 'GET', `${DEPLOYMENTS}/${refused.name}`)).status, 404);

    const five = await api(ts.server, 'POST', DEPLOYMENTS, deploymentManifest('five', 5));
    assert.equal(five.status, 201, JSON.stringify(five.body));
    assert.equal(five.body.spec.replicas, 5);

    // An update past the limit is refused too (the policy sees the new object).
    const patched = await api(ts.server, 'PATCH', `${DEPLOYMENTS}/five`, { spec: { replicas: 7 } }, { 'content-type': 'application/merge-patch+json' });
    assert.deepEqual([patched.status, patched.body.message], [422, `deployments.apps "five" is forbidden: ${inner}`]);
    assert.equal((await api(ts.server, 'GET', `${DEPLOYMENTS}/five`)).body.spec.replicas, 5);

    // Over gRPC: the same Status.
    const client = new DeploymentServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      const object = toMessage<Deployment>('k8s.io.api.apps.v1.Deployment', deploymentManifest('six-grpc', 6));
      const failure = await grpcFailure(() => unary((cb) => client.create({ namespace: 'default', object }, new Metadata(), cb)));
      assert.equal(failure.grpcCode, GrpcStatus.INVALID_ARGUMENT);
      assert.deepEqual([failure.status.code, failure.status.reason, failure.status.message], [422, 'Invalid', `deployments.apps "six-grpc" is forbidden: ${inner}`]);
    } finally {
      client.close();
    }

    // kubectl prints upstream's refusal.
    const manifest = JSON.stringify({ ...deploymentManifest('six-kubectl', 6), metadata: { name: 'six-kubectl', namespace: 'default' } });
    const out = await runKubectl(33, join(ts.dataDir, 'kubeconfig'), ['create', '-f', '-'], manifest);
    assert.notEqual(out.code, 0);
    assert.equal(out.stderr.trim(), `The deployments "six-kubectl" is invalid: : ${inner}`);
    await drop('replicas-limit');
  });

  it("a validation's reason and messageExpression shape the refusal", async () => {
    await policy('named-reason', {
      matchConstraints: { resourceRules: deploymentRules },
      validations: [{ expression: "object.metadata.name != 'forbidden'", reason: 'Forbidden', messageExpression: "'the name ' + object.metadata.name + ' is taken, replicas ' + string(object.spec.replicas)" }],
    });
    await binding('named-reason-binding', { policyName: 'named-reason', validationActions: ['Deny'] });
    let res: { status: number; body: any } | undefined;
    await eventually('the policy to refuse', async () => {
      res = await api(ts.server, 'POST', DEPLOYMENTS, deploymentManifest('forbidden', 2));
      if (res.status === 201) await api(ts.server, 'DELETE', `${DEPLOYMENTS}/forbidden`);
      return res.status !== 201;
    });
    assert.deepEqual([res!.status, res!.body.reason, res!.body.message], [
      403,
      'Forbidden',
      `deployments.apps "forbidden" is forbidden: ValidatingAdmissionPolicy 'named-reason' with binding 'named-reason-binding' denied request: the name forbidden is taken, replicas 2`,
    ]);
    await drop('named-reason');
  });

  it('parameters come from the object the binding names; namespaceObject and request are bound', async () => {
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: 'limited', labels: { tier: 'small' } } })).status, 201);
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces/limited/configmaps', { metadata: { name: 'limits' }, data: { max: '2' } })).status, 201);
    await policy('param-limit', {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConstraints: { resourceRules: deploymentRules },
      validations: [
        { expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'at most ' + params.data.max + ' replicas in a ' + namespaceObject.metadata.labels.tier + ' namespace, asked by ' + request.userInfo.username" },
      ],
    });
    await binding('param-limit-binding', {
      policyName: 'param-limit',
      validationActions: ['Deny'],
      paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' },
      matchResources: { namespaceSelector: { matchLabels: { tier: 'small' } } },
    });
    const refused = await refusalOf('three', (name) => deploymentManifest(name, 3), '/apis/apps/v1/namespaces/limited/deployments');
    assert.deepEqual([refused.status, refused.body.message], [
      422,
      `deployments.apps "${refused.name}" is forbidden: ValidatingAdmissionPolicy 'param-limit' with binding 'param-limit-binding' denied request: at most 2 replicas in a small namespace, asked by system:anonymous`,
    ]);
    assert.equal((await api(ts.server, 'POST', '/apis/apps/v1/namespaces/limited/deployments', deploymentManifest('two', 2))).status, 201);
    // Outside the binding's namespaces the policy does not apply.
    assert.equal((await api(ts.server, 'POST', DEPLOYMENTS, deploymentManifest('three-elsewhere', 3))).status, 201);
    // The parameter gone, parameterNotFoundAction Deny refuses as a configuration error.
    assert.equal((await api(ts.server, 'DELETE', '/api/v1/namespaces/limited/configmaps/limits')).status, 200);
    const missing = await refusalOf('no-param', (name) => deploymentManifest(name, 1), '/apis/apps/v1/namespaces/limited/deployments');
    assert.deepEqual([missing.status, missing.body.message], [
      422,
      `deployments.apps "${missing.name}" is forbidden: ValidatingAdmissionPolicy 'param-limit' with binding 'param-limit-binding' denied request: failed to configure binding: no params found for policy binding with \`Deny\` parameterNotFoundAction`,
    ]);
    await drop('param-limit');
  });

  it('an expression that cannot be evaluated refuses under Fail and is ignored under Ignore; match conditions filter', async () => {
    await policy('broken', {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: deploymentRules },
      matchConditions: [{ name: 'only-broken', expression: "object.metadata.name.startsWith('broken')" }],
      validations: [{ expression: 'object.spec.paused == false' }],
    });
    await binding('broken-binding', { policyName: 'broken', validationActions: ['Deny'] });
    const refused = await refusalOf('broken', (name) => deploymentManifest(name, 1));
    assert.deepEqual([refused.status, refused.body.reason, refused.body.message], [
      422,
      'Invalid',
      `deployments.apps "${refused.name}" is forbidden: ValidatingAdmissionPolicy 'broken' with binding 'broken-binding' denied request: expression 'object.spec.paused == false' resulted in error: no such key: paused`,
    ]);
    // The match condition is false for other names: admitted.
    assert.equal((await api(ts.server, 'POST', DEPLOYMENTS, deploymentManifest('fine', 1))).status, 201);
    // Under Ignore the same error admits.
    const current = await api(ts.server, 'GET', `${POLICIES}/broken`);
    const updated = await api(ts.server, 'PUT', `${POLICIES}/broken`, { ...current.body, spec: { ...current.body.spec, failurePolicy: 'Ignore' } });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    let n = 0;
    await eventually('the policy to ignore the error', async () => (await api(ts.server, 'POST', DEPLOYMENTS, deploymentManifest(`broken-ignored-${n++}`, 1))).status === 201);
    await drop('broken');
  });

  it('a failed validation fails the expression text when no message is given; Warn alone admits with a Warning header', async () => {
    await policy('plain', { matchConstraints: { resourceRules: deploymentRules }, validations: [{ expression: " object.spec.replicas != 4 " }] });
    await binding('plain-binding', { policyName: 'plain', validationActions: ['Deny'] });
    const refused = await refusalOf('four', (name) => deploymentManifest(name, 4));
    assert.equal(refused.body.message, `deployments.apps "${refused.name}" is forbidden: ValidatingAdmissionPolicy 'plain' with binding 'plain-binding' denied request: failed expression: object.spec.replicas != 4`);
    const b = await api(ts.server, 'GET', `${BINDINGS}/plain-binding`);
    assert.equal((await api(ts.server, 'PUT', `${BINDINGS}/plain-binding`, { ...b.body, spec: { ...b.body.spec, validationActions: ['Warn'] } })).status, 200);
    let n = 0;
    let warned: { status: number; headers: Headers } | undefined;
    await eventually('Warn to admit', async () => (warned = await api(ts.server, 'POST', DEPLOYMENTS, deploymentManifest(`four-warned-${n++}`, 4))).status === 201);
    assert.equal(warned!.headers.get('warning'), `299 - "Validation failed for ValidatingAdmissionPolicy 'plain' with binding 'plain-binding': failed expression: object.spec.replicas != 4"`);
    await drop('plain');
  });

  it('after a restart the stored policies hold from the first request', async () => {
    await policy('restart-limit', { matchConstraints: { resourceRules: deploymentRules }, validations: [{ expression: 'object.spec.replicas <= 1', message: 'one at most' }] });
    await binding('restart-limit-binding', { policyName: 'restart-limit', validationActions: ['Deny'] });
    await refusalOf('restart-before', (name) => deploymentManifest(name, 2));
    await ts.server.close();
    const again = await startTestServer({ dataDir: ts.dataDir });
    try {
      const res = await api(again.server, 'POST', DEPLOYMENTS, deploymentManifest('two-after-restart', 2));
      assert.deepEqual([res.status, res.body.message], [
        422,
        `deployments.apps "two-after-restart" is forbidden: ValidatingAdmissionPolicy 'restart-limit' with binding 'restart-limit-binding' denied request: one at most`,
      ]);
    } finally {
      await again.stop();
    }
  });
});
