/**
 * certificates.k8s.io/v1 CertificateSigningRequest and the admissionregistration.k8s.io/v1
 * kinds (MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
 * ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding) through kubectl 1.33:
 * create, upstream's defaults and printer columns, the requestor recorded from the caller,
 * `kubectl certificate approve|deny` through `/approval`, what `/status` may and may not
 * change, and upstream's validation messages; the approval subresource over gRPC too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CertificateSigningRequestServiceClient } from '../../gen/wheelhouse/certificates/v1/services.js';
import { grpcFailure, toJson, toMessage, unary } from '../parity/grpc-helpers.js';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer, grpcCredentials } from '../helpers/server.js';

const MINOR = 33;

/** A PKCS#10 request for CN=jane (P-256, signed), base64 of its PEM as JSON carries it. */
const JANE_CSR = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIWE1IOENBUUF3SFRFTk1Bc0dBMVVFQXd3RWFtRnVaVEVNTUFvR0ExVUVDZ3dEWkdWMk1Ga3dFd1lIS29aSQp6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUU5cnNISExlOHBMYzZnYzFFNHZqQmR5dGFWb2w2eWpkUWJrWTZtdTFpCnVjZTFnZ3NCTCtIVmhKRVNVbStZQ1FIUUVob09DdTlBaEFudG4yWWlaQlJRWWFBQU1Bb0dDQ3FHU000OUJBTUMKQTBnQU1FVUNJSE5oTWxncTVCQ2lUNXAvWEFXUHNZcTl0RTh6NzF6NEMzK0xZV2t6YmxpVEFpRUF5ZXFtZWVMUgpoL0E0Y2w4YXZzc1QyaVpEOWhISXpGWE5XNjF5aUxqR0NaYz0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==';
/** A self-signed certificate for CN=jane, base64 of its PEM. */
const JANE_CERT = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJjakNDQVJtZ0F3SUJBZ0lVWkxoUjJJc2tHenRnSEt5N2tvWXBabnlhbERBd0NnWUlLb1pJemowRUF3SXcKRHpFTk1Bc0dBMVVFQXd3RWFtRnVaVEFlRncweU5qRXlNREV4TlRBMU5UQmFGdzB6TmpFeE1qZ3hOVEExTlRCYQpNQTh4RFRBTEJnTlZCQU1NQkdwaGJtVXdXVEFUQmdjcWhrak9QUUlCQmdncWhrak9QUU1CQndOQ0FBUmdYSmhNClFGbjBzRzcxREJBeGJOck1FTGdJL3RRQ3h0dmJ1bk5IcjBqVVdJZGNNM2s3ZUk3NXpQR3p1MVREQmZwbGR2ZTUKbWV5RTM3TmVmYWQ3VjhmK28xTXdVVEFkQmdOVkhRNEVGZ1FVOXBxY2FaaGVlUW5QcGV1T2U1R01TOVJUa1ZvdwpId1lEVlIwakJCZ3dGb0FVOXBxY2FaaGVlUW5QcGV1T2U1R01TOVJUa1Zvd0R3WURWUjBUQVFIL0JBVXdBd0VCCi96QUtCZ2dxaGtqT1BRUURBZ05IQURCRUFpQlZDMGswSzVlOWxGcy8xMWZBTkU2VFpyTkhVdSs3TDhucTR3WXAKeXAvRkhBSWdSK2g3ejZURXI1N2ZKcStnVFp6bG1raHVpaUNSODk3Ykhvayt3MHlIMHdrPQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==';

const csr = (name: string, extra = ''): string =>
  `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: ${name}}
spec:
  request: ${JANE_CSR}
  signerName: kubernetes.io/kube-apiserver-client
  usages: [client auth]
${extra}`;

describe('certificates and admissionregistration kinds through kubectl 1.33', () => {
  let ts: TestServer;
  const k = async (args: string[], stdin?: string) => runKubectl(MINOR, ts.server.kubeconfigPath, args, stdin);
  const ok = async (args: string[], stdin?: string) => {
    const r = await k(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json']));
  const fails = async (args: string[], message: string, stdin?: string) => {
    const r = await k(args, stdin);
    assert.notEqual(r.code, 0, r.stdout);
    assert.equal(r.stderr.trim(), message);
  };
  const refused = async (manifest: string, message: string) => fails(['create', '-f', '-'], message, manifest);

  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts.stop();
  });

  it('lists the kinds with upstream short names, categories and the approval subresource', async () => {
    const names = (await ok(['api-resources', '--no-headers', '-o', 'name'])).split('\n');
    for (const name of [
      'certificatesigningrequests.certificates.k8s.io',
      'mutatingwebhookconfigurations.admissionregistration.k8s.io',
      'validatingwebhookconfigurations.admissionregistration.k8s.io',
      'validatingadmissionpolicies.admissionregistration.k8s.io',
      'validatingadmissionpolicybindings.admissionregistration.k8s.io',
    ]) {
      assert.ok(names.includes(name), name);
    }
    const wide = await ok(['api-resources', '--api-group=certificates.k8s.io', '-o', 'wide', '--no-headers']);
    assert.match(wide, /^certificatesigningrequests\s+csr\s+certificates\.k8s\.io\/v1\s+false\s+CertificateSigningRequest\s+create,delete,deletecollection,get,list,patch,update,watch\s*$/);
    const ext = await ok(['api-resources', '--categories=api-extensions', '--api-group=admissionregistration.k8s.io', '-o', 'name']);
    assert.deepEqual(ext.trim().split('\n').sort(), [
      'mutatingwebhookconfigurations.admissionregistration.k8s.io',
      'validatingadmissionpolicies.admissionregistration.k8s.io',
      'validatingadmissionpolicybindings.admissionregistration.k8s.io',
      'validatingwebhookconfigurations.admissionregistration.k8s.io',
    ]);
    const list = JSON.parse(await ok(['get', '--raw', '/apis/certificates.k8s.io/v1']));
    const subs = list.resources.filter((r: { name: string }) => r.name.startsWith('certificatesigningrequests/'));
    assert.deepEqual(
      subs.map((r: { name: string; verbs: string[] }) => [r.name, r.verbs]),
      [
        ['certificatesigningrequests/approval', ['get', 'patch', 'update']],
        ['certificatesigningrequests/status', ['get', 'patch', 'update']],
      ],
    );
  });

  it('CertificateSigningRequest: the requestor is the caller, approve and deny through /approval', async () => {
    await ok(['create', '-f', '-'], csr('jane', '  expirationSeconds: 3600\n  username: mallory\n  groups: [system:masters-not]\n'));
    const created = await json(['get', 'csr', 'jane']);
    // kubectl authenticates with the admin kubeconfig's client certificate: the caller is admin.
    assert.equal(created.spec.username, 'admin');
    assert.deepEqual(created.spec.groups, ['system:masters', 'system:authenticated']);
    assert.equal(created.spec.expirationSeconds, 3600);
    // Go's non-pointer status struct: present and empty, as upstream shows it.
    assert.deepEqual(created.status, {});
    assert.match(
      await ok(['get', 'csr', 'jane']),
      /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\s*\njane\s+\d+s\s+kubernetes\.io\/kube-apiserver-client\s+admin\s+60m\s+Pending\s*$/,
    );
    assert.equal((await ok(['get', 'csr', '--field-selector=spec.signerName=kubernetes.io/kube-apiserver-client', '-o', 'name'])).trim(), 'certificatesigningrequest.certificates.k8s.io/jane');

    assert.equal((await ok(['certificate', 'approve', 'jane'])).trim(), 'certificatesigningrequest.certificates.k8s.io/jane approved');
    const approved = await json(['get', 'csr', 'jane']);
    assert.equal(approved.status.conditions.length, 1);
    const [cond] = approved.status.conditions;
    assert.equal(cond.type, 'Approved');
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'KubectlApprove');
    assert.equal(cond.message, 'This CSR was approved by kubectl certificate approve.');
    assert.match(cond.lastUpdateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(cond.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(await ok(['get', 'csr', 'jane', '--no-headers']), /\sApproved\s*$/);

    await fails(['certificate', 'deny', 'jane'], 'error: certificate signing request "jane" is already Approved');
    // Past kubectl's own check, the server refuses both conditions at once.
    const both = { ...approved, status: { conditions: [...approved.status.conditions, { type: 'Denied', status: 'True', reason: 'No' }] } };
    await fails(
      ['replace', '--raw', '/apis/certificates.k8s.io/v1/certificatesigningrequests/jane/approval', '-f', '-'],
      'The CertificateSigningRequest "jane" is invalid: status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
      JSON.stringify(both),
    );

    await ok(['create', '-f', '-'], csr('bob'));
    assert.equal((await ok(['certificate', 'deny', 'bob'])).trim(), 'certificatesigningrequest.certificates.k8s.io/bob denied');
    assert.match(await ok(['get', 'csr', 'bob', '--no-headers']), /\s<none>\s+Denied\s*$/);
    await ok(['delete', 'csr', 'bob']);
  });

  it('CertificateSigningRequest: /status sets the certificate but not approvals; the spec never changes', async () => {
    await fails(
      ['patch', 'csr', 'jane', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Denied","status":"True","reason":"Nope"}]}}'],
      'The CertificateSigningRequest "jane" is invalid: \n' +
        '* status.conditions: Forbidden: updates may not remove a condition of type "Approved"\n' +
        '* status.conditions: Forbidden: updates may not add a condition of type "Denied"',
    );
    await ok(['patch', 'csr', 'jane', '--subresource=status', '--type=json', '-p', `[{"op":"add","path":"/status/certificate","value":"${JANE_CERT}"}]`]);
    const issued = await json(['get', 'csr', 'jane']);
    assert.equal(issued.status.certificate, JANE_CERT);
    assert.equal(issued.status.conditions[0].type, 'Approved');
    assert.match(await ok(['get', 'csr', 'jane', '--no-headers']), /\sApproved,Issued\s*$/);
    await fails(
      ['patch', 'csr', 'jane', '--subresource=status', '--type=merge', '-p', '{"status":{"certificate":"YWJj"}}'],
      'The CertificateSigningRequest "jane" is invalid: \n' +
        '* status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block\n' +
        '* status.certificate: Forbidden: updates may not modify existing certificate content',
    );
    // The object itself: spec and status are kept as stored, metadata changes.
    await ok(['patch', 'csr', 'jane', '--type=merge', '-p', '{"metadata":{"labels":{"team":"a"}},"spec":{"usages":["server auth"]}}']);
    const patched = await json(['get', 'csr', 'jane']);
    assert.deepEqual(patched.spec.usages, ['client auth']);
    assert.equal(patched.metadata.labels.team, 'a');
    assert.equal(patched.status.certificate, JANE_CERT);
    await ok(['delete', 'csr', 'jane']);
  });

  it('CertificateSigningRequest: upstream validation', async () => {
    await refused(csr('short', '  expirationSeconds: 60\n'), 'The CertificateSigningRequest "short" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)');
    await refused(
      csr('signer').replace('kubernetes.io/kube-apiserver-client', 'example'),
      `The CertificateSigningRequest "signer" is invalid: spec.signerName: Invalid value: "example": must be a fully qualified domain and path of the form 'example.com/signer-name'`,
    );
    await refused(
      csr('usage').replace('[client auth]', '[client auth, client auth]'),
      'The CertificateSigningRequest "usage" is invalid: spec.usages[1]: Duplicate value: "client auth"',
    );
    const junk = Buffer.from('not a request').toString('base64');
    const r = await k(['create', '-f', '-'], csr('junk').replace(JANE_CSR, junk));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^The CertificateSigningRequest "junk" is invalid: spec\.request: Invalid value: .*: PEM block type must be CERTIFICATE REQUEST\s*$/);
  });

  it('MutatingWebhookConfiguration: upstream defaults, WEBHOOKS column, validation', async () => {
    await ok(
      ['create', '-f', '-'],
      `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: inject}
webhooks:
- name: inject.example.com
  clientConfig: {service: {namespace: default, name: injector}}
  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
  sideEffects: None
  admissionReviewVersions: [v1]
`,
    );
    const [hook] = (await json(['get', 'mutatingwebhookconfiguration', 'inject'])).webhooks;
    assert.deepEqual(hook, {
      name: 'inject.example.com',
      clientConfig: { service: { namespace: 'default', name: 'injector', port: 443 } },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' }],
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      objectSelector: {},
      sideEffects: 'None',
      timeoutSeconds: 10,
      admissionReviewVersions: ['v1'],
      reinvocationPolicy: 'Never',
    });
    assert.match(await ok(['get', 'mutatingwebhookconfigurations']), /^NAME\s+WEBHOOKS\s+AGE\s*\ninject\s+1\s+\d+s\s*$/);
    await ok(['patch', 'mutatingwebhookconfiguration', 'inject', '--type=merge', '-p', '{"metadata":{"labels":{"a":"b"}}}']);
    await ok(['delete', 'mutatingwebhookconfiguration', 'inject']);
    await refused(
      `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: bad}
webhooks: [{name: hook, clientConfig: {url: "https://hooks.example.com/m"}, sideEffects: None, admissionReviewVersions: [v1]}]
`,
      'The MutatingWebhookConfiguration "bad" is invalid: webhooks[0].name: Invalid value: "hook": should be a domain with at least three segments separated by dots',
    );
    await refused(
      `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: bad}
webhooks: [{name: m.example.com, clientConfig: {url: "https://hooks.example.com/m"}, sideEffects: Some, admissionReviewVersions: [v1]}]
`,
      'The MutatingWebhookConfiguration "bad" is invalid: webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
    );
  });

  it('ValidatingWebhookConfiguration: defaults, and a URL or a service, not both', async () => {
    await ok(
      ['create', '-f', '-'],
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: check}
webhooks:
- name: check.example.com
  clientConfig: {url: "https://hooks.example.com/check"}
  sideEffects: NoneOnDryRun
  admissionReviewVersions: [v1, v1beta1]
- name: check2.example.com
  clientConfig: {url: "https://hooks.example.com/check2"}
  sideEffects: None
  admissionReviewVersions: [v1]
`,
    );
    const hooks = (await json(['get', 'validatingwebhookconfiguration', 'check'])).webhooks;
    assert.equal(hooks.length, 2);
    assert.equal(hooks[0].timeoutSeconds, 10);
    assert.equal(hooks[0].failurePolicy, 'Fail');
    assert.equal(hooks[0].reinvocationPolicy, undefined);
    assert.match(await ok(['get', 'validatingwebhookconfigurations', '--no-headers']), /^check\s+2\s+\d+s\s*$/);
    await ok(['delete', 'validatingwebhookconfiguration', 'check']);
    await refused(
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: bad}
webhooks: [{name: v.example.com, clientConfig: {}, sideEffects: None, admissionReviewVersions: [v1]}]
`,
      'The ValidatingWebhookConfiguration "bad" is invalid: webhooks[0].clientConfig: Required value: exactly one of url or service is required',
    );
  });

  it('ValidatingAdmissionPolicy and its binding: defaults, /status, columns, validation', async () => {
    await ok(
      ['create', '-f', '-'],
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replicas}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{operations: [CREATE, UPDATE], apiGroups: [apps], apiVersions: [v1], resources: [deployments]}]
  validations: [{expression: "object.spec.replicas <= 5"}]
`,
    );
    const policy = await json(['get', 'validatingadmissionpolicy', 'replicas']);
    assert.equal(policy.spec.failurePolicy, 'Fail');
    assert.deepEqual(policy.spec.matchConstraints, {
      namespaceSelector: {},
      objectSelector: {},
      resourceRules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'], scope: '*' }],
      matchPolicy: 'Equivalent',
    });
    assert.equal(policy.metadata.generation, 1);
    assert.match(await ok(['get', 'validatingadmissionpolicies']), /^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\s*\nreplicas\s+1\s+v1\/ConfigMap\s+\d+s\s*$/);
    await ok([
      'patch',
      'validatingadmissionpolicy',
      'replicas',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"observedGeneration":1,"typeChecking":{"expressionWarnings":[{"fieldRef":"spec.validations[0].expression","warning":"no such field"}]}}}',
    ]);
    assert.equal((await json(['get', 'validatingadmissionpolicy', 'replicas'])).status.typeChecking.expressionWarnings[0].warning, 'no such field');
    await fails(
      ['patch', 'validatingadmissionpolicy', 'replicas', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"Maybe","reason":"Checked","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}'],
      'The ValidatingAdmissionPolicy "replicas" is invalid: status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
    );

    await ok(
      ['create', '-f', '-'],
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: replicas-default}
spec:
  policyName: replicas
  paramRef: {name: limits, namespace: default, parameterNotFoundAction: Deny}
  validationActions: [Deny]
`,
    );
    assert.match(await ok(['get', 'validatingadmissionpolicybindings']), /^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\s*\nreplicas-default\s+replicas\s+default\/limits\s+\d+s\s*$/);
    await ok(['delete', 'validatingadmissionpolicybinding', 'replicas-default']);
    await ok(['delete', 'validatingadmissionpolicy', 'replicas']);

    await refused(
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: bad}
spec:
  validations: [{expression: "true"}]
`,
      'The ValidatingAdmissionPolicy "bad" is invalid: spec.matchConstraints: Required value',
    );
    await refused(
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: bad}
spec: {policyName: replicas, validationActions: [Block]}
`,
      'The ValidatingAdmissionPolicyBinding "bad" is invalid: spec.validationActions[0]: Unsupported value: "Block": supported values: "Audit", "Deny", "Warn"',
    );
    await refused(
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: bad}
spec: {policyName: replicas, validationActions: [Deny], paramRef: {name: limits}}
`,
      'The ValidatingAdmissionPolicyBinding "bad" is invalid: spec.paramRef.parameterNotFoundAction: Required value',
    );
  });

  it('CertificateSigningRequest: GetApproval and UpdateApproval over gRPC', async () => {
    await ok(['create', '-f', '-'], csr('grpc'));
    const client = new CertificateSigningRequestServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      const TYPE = 'k8s.io.api.certificates.v1.CertificateSigningRequest';
      const current = toJson(TYPE, await unary((cb) => client.getApproval({ name: 'grpc' }, cb))) as { spec: { username: string }; status?: unknown };
      assert.equal(current.spec.username, 'admin');
      const next = { ...current, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Operator', message: 'ok' }] } };
      const updated = toJson(TYPE, await unary((cb) => client.updateApproval({ name: 'grpc', object: toMessage(TYPE, next) }, cb))) as {
        status: { conditions: Array<{ type: string; lastUpdateTime?: string }> };
      };
      assert.equal(updated.status.conditions[0]?.type, 'Approved');
      assert.match(updated.status.conditions[0]?.lastUpdateTime ?? '', /Z$/);
      await ok(['create', '-f', '-'], csr('grpc2'));
      const fresh = toJson(TYPE, await unary((cb) => client.getApproval({ name: 'grpc2' }, cb)));
      const both = { ...fresh, status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] } };
      const failure = await grpcFailure(() => unary((cb) => client.updateApproval({ name: 'grpc2', object: toMessage(TYPE, both) }, cb)));
      assert.equal(failure.status.reason, 'Invalid');
      assert.equal(
        failure.status.message,
        'CertificateSigningRequest.certificates.k8s.io "grpc2" is invalid: status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
      );
    } finally {
      client.close();
    }
    await ok(['delete', 'csr', 'grpc', 'grpc2']);
  });
});
