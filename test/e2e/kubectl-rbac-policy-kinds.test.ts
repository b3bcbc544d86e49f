/**
 * rbac.authorization.k8s.io/v1 (Role, ClusterRole, RoleBinding, ClusterRoleBinding),
 * scheduling.k8s.io/v1 PriorityClass, coordination.k8s.io/v1 Lease and policy/v1
 * PodDisruptionBudget through kubectl 1.33: create (kubectl's own generators where it has
 * them), get with upstream's defaults and printer columns, update, patch, delete, and one
 * validation failure per kind with upstream's message. The system PriorityClasses exist
 * from the first start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MINOR = 33;

describe('rbac, scheduling, coordination and policy kinds through kubectl 1.33', () => {
  let ts: TestServer;
  const k = async (args: string[], stdin?: string) => runKubectl(MINOR, ts.server.kubeconfigPath, args, stdin);
  const ok = async (args: string[], stdin?: string) => {
    const r = await k(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json']));
  const refused = async (manifest: string, message: string) => {
    const r = await k(['create', '-f', '-'], manifest);
    assert.notEqual(r.code, 0, r.stdout);
    assert.equal(r.stderr.trim(), message);
  };

  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts.stop();
  });

  it('lists the kinds in api-resources with upstream short names', async () => {
    const out = await ok(['api-resources', '--no-headers', '-o', 'name']);
    for (const name of [
      'roles.rbac.authorization.k8s.io',
      'clusterroles.rbac.authorization.k8s.io',
      'rolebindings.rbac.authorization.k8s.io',
      'clusterrolebindings.rbac.authorization.k8s.io',
      'priorityclasses.scheduling.k8s.io',
      'leases.coordination.k8s.io',
      'poddisruptionbudgets.policy',
    ]) {
      assert.ok(out.split('\n').includes(name), name);
    }
    assert.equal((await ok(['get', 'pc', 'system-node-critical', '--no-headers', '-o', 'custom-columns=V:.value'])).trim(), '2000001000');
  });

  it('Role: create, get, update, patch, delete; non-resource URLs refused', async () => {
    await ok(['create', 'role', 'reader', '--verb=get,list', '--resource=pods']);
    const role = await json(['get', 'role', 'reader']);
    assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    const table = await ok(['get', 'roles']);
    assert.match(table, /^NAME\s+CREATED AT\s*\nreader\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s*$/);
    await ok(['label', 'role', 'reader', 'tier=a']);
    await ok(['patch', 'role', 'reader', '--type=json', '-p', '[{"op":"add","path":"/rules/0/verbs/-","value":"watch"}]']);
    assert.deepEqual((await json(['get', 'role', 'reader'])).rules[0].verbs, ['get', 'list', 'watch']);
    await ok(['delete', 'role', 'reader']);
    await refused(
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: bad}\nrules: [{verbs: [get], nonResourceURLs: [/healthz]}]\n',
      'The Role "bad" is invalid: rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    );
  });

  it('ClusterRole: aggregation rule kept; a rule without verbs refused', async () => {
    await ok(['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate-to-agg=true']);
    const cr = await json(['get', 'clusterrole', 'agg']);
    assert.deepEqual(cr.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-agg': 'true' } }] });
    await ok(['create', 'clusterrole', 'health', '--verb=get', '--non-resource-url=/healthz']);
    await ok(['patch', 'clusterrole', 'health', '--type=merge', '-p', '{"metadata":{"annotations":{"a":"b"}}}']);
    assert.deepEqual((await json(['get', 'clusterrole', 'health'])).rules, [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }]);
    await ok(['delete', 'clusterrole', 'agg', 'health']);
    await refused(
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: bad}\nrules: [{apiGroups: [""], resources: [pods]}]\n',
      'The ClusterRole "bad" is invalid: rules[0].verbs: Required value: verbs must contain at least one value',
    );
  });

  it('RoleBinding: apiGroups defaulted, wide columns, roleRef immutable, unknown subject kind refused', async () => {
    const manifest = (role: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\nroleRef: {kind: ClusterRole, name: ${role}}\nsubjects:\n- {kind: User, name: jane}\n- {kind: ServiceAccount, name: builder, namespace: default}\n`;
    await ok(['create', '-f', '-'], manifest('view'));
    const rb = await json(['get', 'rolebinding', 'rb']);
    assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
    assert.deepEqual(rb.subjects, [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' },
      { kind: 'ServiceAccount', name: 'builder', namespace: 'default' },
    ]);
    const wide = (await ok(['get', 'rolebinding', 'rb', '-o', 'wide'])).split('\n');
    assert.match(wide[0] ?? '', /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\s*$/);
    assert.match(wide[1] ?? '', /^rb\s+ClusterRole\/view\s+\S+\s+jane\s+default:builder\s*$/);
    const r = await k(['replace', '-f', '-'], manifest('edit'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The RoleBinding "rb" is invalid: roleRef: Invalid value: .*: cannot change roleRef/);
    await ok(['delete', 'rolebinding', 'rb']);
    await refused(
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: bad}\nroleRef: {kind: Role, name: r}\nsubjects: [{kind: Robot, name: r2}]\n',
      'The RoleBinding "bad" is invalid: subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    );
  });

  it('ClusterRoleBinding: kubectl create, delete; a Role reference refused', async () => {
    await ok(['create', 'clusterrolebinding', 'crb', '--clusterrole=view', '--group=devs', '--serviceaccount=default:ci']);
    const crb = await json(['get', 'clusterrolebinding', 'crb']);
    assert.deepEqual(crb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
    assert.deepEqual(crb.subjects, [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'default' },
    ]);
    await ok(['label', 'clusterrolebinding', 'crb', 'x=y']);
    await ok(['delete', 'clusterrolebinding', 'crb']);
    await refused(
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: bad}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n',
      'The ClusterRoleBinding "bad" is invalid: roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    );
  });

  it('PriorityClass: preemptionPolicy defaulted, columns, value immutable, reserved prefix and ceiling refused', async () => {
    await ok(['create', 'priorityclass', 'high', '--value=1000', '--description=important']);
    const pc = await json(['get', 'pc', 'high']);
    assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
    assert.equal(pc.value, 1000);
    const table = (await ok(['get', 'priorityclass', 'high'])).split('\n');
    assert.match(table[0] ?? '', /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\s*$/);
    assert.match(table[1] ?? '', /^high\s+1000\s+false\s+\S+\s+PreemptLowerPriority\s*$/);
    await ok(['patch', 'pc', 'high', '--type=merge', '-p', '{"description":"changed"}']);
    const r = await k(['patch', 'pc', 'high', '--type=merge', '-p', '{"value":5}']);
    assert.equal(r.stderr.trim(), 'The PriorityClass "high" is invalid: value: Forbidden: may not be changed in an update.');
    await ok(['delete', 'pc', 'high']);
    await refused(
      'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: system-mine}\nvalue: 10\n',
      `The PriorityClass "system-mine" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class`,
    );
    await refused(
      'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: huge}\nvalue: 1000000001\n',
      'The PriorityClass "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    );
  });

  it('Lease: create, holder column, update, delete; a zero duration refused', async () => {
    const lease = (holder: string, duration: number) =>
      `apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: leader}\nspec: {holderIdentity: ${holder}, leaseDurationSeconds: ${duration}, renewTime: "2026-01-02T03:04:05.123456Z"}\n`;
    await ok(['create', '-f', '-'], lease('node-a', 15));
    const table = (await ok(['get', 'lease', 'leader'])).split('\n');
    assert.match(table[0] ?? '', /^NAME\s+HOLDER\s+AGE\s*$/);
    assert.match(table[1] ?? '', /^leader\s+node-a\s+\S+\s*$/);
    await ok(['apply', '-f', '-'], lease('node-b', 20));
    const got = await json(['get', 'lease', 'leader']);
    assert.deepEqual(got.spec, { holderIdentity: 'node-b', leaseDurationSeconds: 20, renewTime: '2026-01-02T03:04:05.123456Z' });
    await ok(['delete', 'lease', 'leader']);
    await refused(
      lease('node-a', 0).replace('name: leader', 'name: bad'),
      'The Lease "bad" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    );
  });

  it('PodDisruptionBudget: kubectl create pdb, columns, /status, both bounds refused', async () => {
    await ok(['create', 'pdb', 'web', '--selector=app=web', '--min-available=50%']);
    const pdb = await json(['get', 'pdb', 'web']);
    assert.deepEqual(pdb.spec, { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } });
    assert.deepEqual(pdb.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    assert.equal(pdb.metadata.generation, 1);
    await ok(['patch', 'pdb', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"disruptionsAllowed":2,"expectedPods":4}}']);
    const table = (await ok(['get', 'pdb', 'web'])).split('\n');
    assert.match(table[0] ?? '', /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\s*$/);
    assert.match(table[1] ?? '', /^web\s+50%\s+N\/A\s+2\s+\S+\s*$/);
    await ok(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
    const patched = await json(['get', 'pdb', 'web']);
    assert.equal(patched.metadata.generation, 2);
    assert.equal(patched.status.disruptionsAllowed, 2);
    const r = await k(['patch', 'pdb', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"currentHealthy":-1}}']);
    assert.equal(r.stderr.trim(), 'The PodDisruptionBudget "web" is invalid: status.currentHealthy: Invalid value: -1: must be greater than or equal to 0');
    await ok(['delete', 'pdb', 'web']);
    await refused(
      'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: bad}\nspec: {minAvailable: 150%}\n',
      'The PodDisruptionBudget "bad" is invalid: spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    );
  });
});
