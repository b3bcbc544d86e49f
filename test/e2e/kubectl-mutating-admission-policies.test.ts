/**
 * admissionregistration.k8s.io/v1alpha1 MutatingAdmissionPolicy and its binding through
 * kubectl 1.33: absent from discovery by default (an alpha), listed once
 * `--runtime-config admissionregistration.k8s.io/v1alpha1=true` turns the version on
 * (as upstream 1.33, v1alpha1 serves no ValidatingAdmissionPolicy any more); create with
 * upstream's defaults, printer columns, update, patch, server-side apply, delete, and
 * upstream's validation messages; the same pipeline over the version's gRPC service.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MutatingAdmissionPolicyServiceClient } from '../../gen/wheelhouse/admissionregistration/v1alpha1/services.js';
import { grpcFailure, toJson, toMessage, unary } from '../parity/grpc-helpers.js';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer, grpcCredentials } from '../helpers/server.js';

const MINOR = 33;
const GV = 'admissionregistration.k8s.io/v1alpha1';

const POLICY = `apiVersion: ${GV}
kind: MutatingAdmissionPolicy
metadata: {name: add-team-label}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [configmaps]}
  reinvocationPolicy: IfNeeded
  mutations:
    - patchType: ApplyConfiguration
      applyConfiguration:
        expression: 'Object{metadata: Object.metadata{labels: {"team": params.data.team}}}'
    - patchType: JSONPatch
      jsonPatch:
        expression: '[JSONPatch{op: "add", path: "/metadata/annotations", value: {}}]'
`;

const BINDING = `apiVersion: ${GV}
kind: MutatingAdmissionPolicyBinding
metadata: {name: add-team-label-prod}
spec:
  policyName: add-team-label
  paramRef: {name: team-labels, namespace: default}
  matchResources:
    namespaceSelector: {matchLabels: {env: prod}}
`;

describe('MutatingAdmissionPolicy and binding (admissionregistration.k8s.io/v1alpha1) through kubectl 1.33', () => {
  let off: TestServer;
  let ts: TestServer;
  const k = async (server: TestServer, args: string[], stdin?: string) => runKubectl(MINOR, server.server.kubeconfigPath, args, stdin);
  const ok = async (args: string[], stdin?: string) => {
    const r = await k(ts, args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json']));
  const refused = async (manifest: string, message: string) => {
    const r = await k(ts, ['create', '-f', '-'], manifest);
    assert.notEqual(r.code, 0, r.stdout);
    assert.equal(r.stderr.trim(), message);
  };

  before(async () => {
    [off, ts] = await Promise.all([startTestServer(), startTestServer({ runtimeConfig: `${GV}=true` })]);
  });
  after(async () => {
    await Promise.all([off.stop(), ts.stop()]);
  });

  it('is not served by default', async () => {
    const r = await k(off, ['api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /mutatingadmissionpolic/);
    assert.equal((await api(off.server, 'GET', `/apis/${GV}`)).status, 404);
    const created = await k(off, ['create', '-f', '-'], POLICY);
    assert.notEqual(created.code, 0);
    assert.match(created.stderr, /no matches for kind "MutatingAdmissionPolicy" in version "admissionregistration\.k8s\.io\/v1alpha1"/);
  });

  it('with the version on, discovery lists exactly the two kinds, cluster-scoped, in api-extensions', async () => {
    const wide = await ok(['api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'wide', '--no-headers']);
    const rows = wide.trim().split('\n').filter((l) => l.startsWith('mutatingadmission'));
    assert.equal(rows.length, 2, wide);
    assert.match(rows[0] ?? '', /^mutatingadmissionpolicies\s+admissionregistration\.k8s\.io\/v1alpha1\s+false\s+MutatingAdmissionPolicy\s+create,delete,deletecollection,get,list,patch,update,watch\s+api-extensions\s*$/);
    assert.match(rows[1] ?? '', /^mutatingadmissionpolicybindings\s+admissionregistration\.k8s\.io\/v1alpha1\s+false\s+MutatingAdmissionPolicyBinding\s+create,delete,deletecollection,get,list,patch,update,watch\s+api-extensions\s*$/);
    const list = JSON.parse(await ok(['get', '--raw', `/apis/${GV}`]));
    assert.deepEqual(
      list.resources.map((r: { name: string }) => r.name),
      ['mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'],
    );
    const group = JSON.parse(await ok(['get', '--raw', '/apis/admissionregistration.k8s.io']));
    assert.deepEqual(
      group.versions.map((v: { groupVersion: string }) => v.groupVersion),
      ['admissionregistration.k8s.io/v1', GV],
    );
    assert.equal(group.preferredVersion.groupVersion, 'admissionregistration.k8s.io/v1');
    assert.equal((await api(ts.server, 'GET', `/apis/${GV}/validatingadmissionpolicies`)).status, 404);
  });

  it('creates a policy with upstream defaults, prints its columns, updates, patches and deletes it', async () => {
    await ok(['create', '-f', '-'], POLICY);
    const got = await json(['get', 'mutatingadmissionpolicy', 'add-team-label']);
    assert.equal(got.apiVersion, GV);
    assert.equal(got.metadata.generation, 1);
    assert.equal(got.spec.failurePolicy, 'Fail');
    assert.equal(got.spec.reinvocationPolicy, 'IfNeeded');
    assert.deepEqual(got.spec.matchConstraints, {
      namespaceSelector: {},
      objectSelector: {},
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'], scope: '*' }],
      matchPolicy: 'Equivalent',
    });
    assert.match(await ok(['get', 'mutatingadmissionpolicies']), /^NAME\s+MUTATIONS\s+PARAMKIND\s+AGE\nadd-team-label\s+2\s+v1\/ConfigMap\s+\d+s\n$/);

    got.spec.failurePolicy = 'Ignore';
    await ok(['replace', '-f', '-'], JSON.stringify(got));
    await ok(['patch', 'mutatingadmissionpolicy', 'add-team-label', '--type=merge', '-p', '{"spec":{"reinvocationPolicy":"Never"}}']);
    const changed = await json(['get', 'mutatingadmissionpolicy', 'add-team-label']);
    assert.equal(changed.spec.failurePolicy, 'Ignore');
    assert.equal(changed.spec.reinvocationPolicy, 'Never');
    assert.equal(changed.metadata.generation, 3);
    await ok(['label', 'mutatingadmissionpolicy', 'add-team-label', 'owner=platform']);
    assert.equal((await json(['get', 'mutatingadmissionpolicy', 'add-team-label'])).metadata.generation, 3);
    assert.match(await ok(['delete', 'mutatingadmissionpolicy', 'add-team-label']), /mutatingadmissionpolicy\.admissionregistration\.k8s\.io "add-team-label" deleted/);
  });

  it('server-side apply creates and then changes a policy, its manager owning the fields it set', async () => {
    assert.match(await ok(['apply', '--server-side', '--field-manager=policy-author', '-f', '-'], POLICY), /serverside-applied/);
    const changed = POLICY.replace('reinvocationPolicy: IfNeeded', 'reinvocationPolicy: Never');
    await ok(['apply', '--server-side', '--field-manager=policy-author', '-f', '-'], changed);
    const got = await json(['get', 'mutatingadmissionpolicy', 'add-team-label', '--show-managed-fields']);
    assert.equal(got.spec.reinvocationPolicy, 'Never');
    assert.equal(got.metadata.generation, 2);
    const managers = got.metadata.managedFields.map((m: { manager: string; operation: string; apiVersion: string }) => [m.manager, m.operation, m.apiVersion]);
    assert.deepEqual(managers, [['policy-author', 'Apply', GV]]);
    const spec = got.metadata.managedFields[0].fieldsV1['f:spec'];
    assert.deepEqual(Object.keys(spec).sort(), ['f:matchConstraints', 'f:mutations', 'f:paramKind', 'f:reinvocationPolicy']);
    await ok(['delete', 'mutatingadmissionpolicy', 'add-team-label']);
  });

  it('creates a binding with upstream defaults and prints its columns', async () => {
    await ok(['create', '-f', '-'], BINDING);
    const got = await json(['get', 'mutatingadmissionpolicybinding', 'add-team-label-prod']);
    assert.deepEqual(got.spec, {
      policyName: 'add-team-label',
      paramRef: { name: 'team-labels', namespace: 'default', parameterNotFoundAction: 'Deny' },
      matchResources: { namespaceSelector: { matchLabels: { env: 'prod' } }, objectSelector: {}, matchPolicy: 'Equivalent' },
    });
    await ok(['create', '-f', '-'], `apiVersion: ${GV}\nkind: MutatingAdmissionPolicyBinding\nmetadata: {name: by-selector}\nspec:\n  policyName: add-team-label\n  paramRef: {selector: {matchLabels: {team: a}}, parameterNotFoundAction: Allow}\n`);
    const table = await ok(['get', 'mutatingadmissionpolicybindings']);
    assert.match(table, /^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\n/);
    assert.match(table, /\nadd-team-label-prod\s+add-team-label\s+default\/team-labels\s+\d+s\n/);
    assert.match(table, /\nby-selector\s+add-team-label\s+&LabelSelector\{MatchLabels:map\[string\]string\{team: a,\},MatchExpressions:\[\]LabelSelectorRequirement\{\},\}\s+\d+s\n/);
    await ok(['delete', 'mutatingadmissionpolicybinding', 'add-team-label-prod', 'by-selector']);
  });

  it('refuses invalid policies with upstream messages', async () => {
    const policy = (spec: string) => `apiVersion: ${GV}\nkind: MutatingAdmissionPolicy\nmetadata: {name: bad}\nspec:\n${spec}`;
    const rules = '  matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]}\n';
    await refused(
      policy(`${rules}  mutations: [{patchType: ApplyConfiguration, applyConfiguration: {expression: "Object{}"}}]\n`),
      'The MutatingAdmissionPolicy "bad" is invalid: spec.reinvocationPolicy: Required value',
    );
    await refused(
      policy(`${rules}  reinvocationPolicy: Always\n  mutations: [{patchType: ApplyConfiguration, applyConfiguration: {expression: "Object{}"}}]\n`),
      'The MutatingAdmissionPolicy "bad" is invalid: spec.reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"',
    );
    await refused(
      policy(`${rules}  reinvocationPolicy: Never\n  mutations: [{patchType: StrategicMerge}]\n`),
      'The MutatingAdmissionPolicy "bad" is invalid: spec.mutations[0].patchType: Unsupported value: "StrategicMerge": supported values: "ApplyConfiguration", "JSONPatch"',
    );
    await refused(
      policy(`${rules}  reinvocationPolicy: Never\n  mutations: [{patchType: JSONPatch, applyConfiguration: {expression: "Object{}"}}]\n`),
      'The MutatingAdmissionPolicy "bad" is invalid: \n* spec.mutations[0].jsonPatch: Required value: must be specified when patchType is JSONPatch\n* spec.mutations[0].applyConfiguration: Invalid value: "{applyConfiguration}": must not be specified when patchType is JSONPatch',
    );
    await refused(
      policy(`${rules}  reinvocationPolicy: Never\n  mutations: [{patchType: ApplyConfiguration, applyConfiguration: {expression: "  "}}]\n`),
      'The MutatingAdmissionPolicy "bad" is invalid: spec.mutations[0].applyConfiguration.expression: Required value',
    );
    await refused(
      policy(`  reinvocationPolicy: Never\n  mutations: [{patchType: ApplyConfiguration, applyConfiguration: {expression: "Object{}"}}]\n`),
      'The MutatingAdmissionPolicy "bad" is invalid: spec.matchConstraints: Required value',
    );
    await refused(
      policy('  matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [DELETE], resources: [configmaps]}]}\n  reinvocationPolicy: Never\n  mutations: [{patchType: ApplyConfiguration, applyConfiguration: {expression: "Object{}"}}]\n'),
      'The MutatingAdmissionPolicy "bad" is invalid: spec.matchConstraints.resourceRules.operations: Unsupported value: "DELETE": supported values: "*", "CONNECT", "CREATE", "UPDATE"',
    );
    await refused(
      policy(`${rules}  failurePolicy: Sometimes\n  reinvocationPolicy: Never\n  variables: [{name: "1st", expression: "true"}]\n  mutations: [{patchType: ApplyConfiguration, applyConfiguration: {expression: "Object{}"}}]\n`),
      'The MutatingAdmissionPolicy "bad" is invalid: \n* spec.failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"\n* spec.variables[0].name: Invalid value: "1st": name is not a valid CEL identifier',
    );
  });

  it('refuses invalid bindings with upstream messages', async () => {
    await refused(
      `apiVersion: ${GV}\nkind: MutatingAdmissionPolicyBinding\nmetadata: {name: bad}\nspec: {paramRef: {name: p}}\n`,
      'The MutatingAdmissionPolicyBinding "bad" is invalid: spec.policyName: Required value',
    );
    await refused(
      `apiVersion: ${GV}\nkind: MutatingAdmissionPolicyBinding\nmetadata: {name: bad}\nspec: {policyName: p, paramRef: {name: p, selector: {}}}\n`,
      'The MutatingAdmissionPolicyBinding "bad" is invalid: \n* spec.paramRef.name: Forbidden: name and selector are mutually exclusive\n* spec.paramRef.selector: Forbidden: name and selector are mutually exclusive',
    );
    await refused(
      `apiVersion: ${GV}\nkind: MutatingAdmissionPolicyBinding\nmetadata: {name: bad}\nspec: {policyName: p, matchResources: {matchPolicy: Fuzzy}}\n`,
      'The MutatingAdmissionPolicyBinding "bad" is invalid: spec.matchResources.matchPolicy: Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"',
    );
  });

  it('the gRPC service creates through the same pipeline: defaults, and upstream validation as a Status', async () => {
    const TYPE = 'k8s.io.api.admissionregistration.v1alpha1.MutatingAdmissionPolicy';
    const client = new MutatingAdmissionPolicyServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      const policy = {
        metadata: { name: 'grpc-policy' },
        spec: {
          matchConstraints: { resourceRules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] },
          reinvocationPolicy: 'Never',
          mutations: [{ patchType: 'JSONPatch', jsonPatch: { expression: '[]' } }],
        },
      };
      const created = toJson(TYPE, await unary((cb) => client.create({ object: toMessage(TYPE, policy) }, cb))) as { spec: { failurePolicy: string } };
      assert.equal(created.spec.failurePolicy, 'Fail');
      assert.equal((await json(['get', 'mutatingadmissionpolicy', 'grpc-policy'])).spec.matchConstraints.matchPolicy, 'Equivalent');
      const bad = { metadata: { name: 'grpc-bad' }, spec: { ...policy.spec, mutations: [{ patchType: 'ApplyConfiguration', jsonPatch: { expression: '[]' } }] } };
      const failure = await grpcFailure(() => unary((cb) => client.create({ object: toMessage(TYPE, bad) }, cb)));
      assert.equal(failure.status.reason, 'Invalid');
      assert.equal(
        failure.status.message,
        'MutatingAdmissionPolicy.admissionregistration.k8s.io "grpc-bad" is invalid: [spec.mutations[0].applyConfiguration: Required value: must be specified when patchType is ApplyConfiguration, spec.mutations[0].jsonPatch: Invalid value: "{jsonPatch}": must not be specified when patchType is ApplyConfiguration]',
      );
    } finally {
      client.close();
    }
    await ok(['delete', 'mutatingadmissionpolicy', 'grpc-policy']);
  });
});
