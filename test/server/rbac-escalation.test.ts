/**
 * RBAC escalation prevention, as upstream: a user writes Roles and ClusterRoles only with
 * rules they hold (or with `escalate`), and binds only roles whose rules they hold (or with
 * `bind` on that role); aggregation rules need everything. Refusals are upstream's 403 text.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { runKubectl } from '../helpers/kubectl.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const BOB = { authorization: 'Bearer bob-token' };
const held = (resource: string) => `user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n${resource}`;
const SECRETS_GET = '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}';

describe('RBAC escalation prevention', () => {
  let ts: TestServer;
  let admin: Record<string, string>;
  const asAdmin = async (method: string, path: string, body?: unknown) => {
    const res = await api(ts.server, method, path, body, method === 'PATCH' ? { ...admin, 'content-type': 'application/merge-patch+json' } : admin);
    assert.ok(res.status < 300, `${method} ${path}: ${JSON.stringify(res.body)}`);
    return res;
  };
  const clusterRole = (name: string, rules: unknown[], extra: Record<string, unknown> = {}) => ({ metadata: { name }, rules, ...extra });
  const binding = (name: string, kind: 'Role' | 'ClusterRole', role: string, user = 'bob') => ({
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
    subjects: [{ kind: 'User', name: user }],
  });

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wheelhouse-escalation-tokens-'));
    const tokenAuthFile = join(dir, 'tokens.csv');
    await writeFile(tokenAuthFile, 'bob-token,bob,3001\n');
    ts = await startTestServer({ plainHttp: false, authorizationMode: 'RBAC', anonymousAuth: 'open-paths', tokenAuthFile });
    admin = { authorization: `Bearer ${readFileSync(join(ts.dataDir, 'admin-token'), 'utf8').trim()}` };
    await asAdmin('POST', '/api/v1/namespaces', { metadata: { name: 'team' } });
    // bob may write RBAC objects and read ConfigMaps, nothing more.
    await asAdmin(
      'POST',
      `${RBAC}/clusterroles`,
      clusterRole('rbac-writer', [
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'], verbs: ['create', 'update', 'patch', 'get'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
      ]),
    );
    await asAdmin('POST', `${RBAC}/clusterrolebindings`, binding('bob-rbac-writer', 'ClusterRole', 'rbac-writer'));
    await asAdmin('POST', `${RBAC}/clusterroles`, clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]));
  });
  after(() => ts?.stop());

  it('refuses a ClusterRole or Role granting what the writer does not hold, with upstream\'s message, and allows what they hold', async () => {
    const refused = await api(ts.server, 'POST', `${RBAC}/clusterroles`, clusterRole('bob-secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]), BOB);
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `clusterroles.rbac.authorization.k8s.io "bob-secrets" is forbidden: ${held(SECRETS_GET)}`,
      reason: 'Forbidden',
      details: { name: 'bob-secrets', group: 'rbac.authorization.k8s.io', kind: 'clusterroles' },
      code: 403,
    });
    // Missing rights are broken down, compacted by resource and sorted, non-resource URLs last.
    const several = await api(
      ts.server,
      'POST',
      `${RBAC}/clusterroles`,
      clusterRole('bob-several', [
        { apiGroups: [''], resources: ['secrets', 'pods', 'configmaps'], verbs: ['get', 'list', 'delete'] },
        { nonResourceURLs: ['/logs/*'], verbs: ['get'] },
      ]),
      BOB,
    );
    assert.equal(several.body.message, `clusterroles.rbac.authorization.k8s.io "bob-several" is forbidden: ${held(
      [
        '{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}',
        '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "delete"]}',
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "delete"]}',
        '{NonResourceURLs:["/logs/*"], Verbs:["get"]}',
      ].join('\n'),
    )}`);
    const role = await api(ts.server, 'POST', `${RBAC}/namespaces/team/roles`, { metadata: { name: 'bob-secrets' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] }, BOB);
    assert.deepEqual([role.status, role.body.message], [403, `roles.rbac.authorization.k8s.io "bob-secrets" is forbidden: ${held(SECRETS_GET)}`]);
    // Checked before validation, as upstream: an invalid role that escalates is a 403 (the admin's is a 422).
    const invalid = clusterRole('bad%name', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    const invalidByBob = await api(ts.server, 'POST', `${RBAC}/clusterroles`, invalid, BOB);
    assert.deepEqual([invalidByBob.status, invalidByBob.body.message], [403, `clusterroles.rbac.authorization.k8s.io "bad%name" is forbidden: ${held(SECRETS_GET)}`]);
    assert.equal((await api(ts.server, 'POST', `${RBAC}/clusterroles`, invalid, admin)).status, 422);
    // Dry run is refused the same way.
    const dry = await api(ts.server, 'POST', `${RBAC}/clusterroles?dryRun=All`, clusterRole('bob-secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]), BOB);
    assert.equal(dry.status, 403);

    const ok = await api(ts.server, 'POST', `${RBAC}/clusterroles`, clusterRole('bob-configmaps', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['one'] }]), BOB);
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    // An update adding a right not held is refused; the stored role is unchanged.
    const widen = await api(ts.server, 'PATCH', `${RBAC}/clusterroles/bob-configmaps`, { rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'delete'] }] }, { ...BOB, 'content-type': 'application/merge-patch+json' });
    assert.deepEqual([widen.status, widen.body.message], [403, `clusterroles.rbac.authorization.k8s.io "bob-configmaps" is forbidden: ${held('{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}')}`]);
    const stored = await asAdmin('GET', `${RBAC}/clusterroles/bob-configmaps`);
    assert.deepEqual(stored.body.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['one'] }]);
    // Only the garbage collector's fields (a finalizer here) change: no check.
    const gc = await api(ts.server, 'PATCH', `${RBAC}/clusterroles/bob-configmaps`, { metadata: { finalizers: ['example.com/keep'] } }, { ...BOB, 'content-type': 'application/merge-patch+json' });
    assert.equal(gc.status, 200, JSON.stringify(gc.body));
    await asAdmin('PATCH', `${RBAC}/clusterroles/bob-configmaps`, { metadata: { finalizers: null } });
  });

  it('an aggregation rule needs every permission', async () => {
    const res = await api(ts.server, 'POST', `${RBAC}/clusterroles`, clusterRole('bob-aggregate', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { gather: 'me' } }] } }), BOB);
    assert.deepEqual([res.status, res.body.message], [403, 'clusterroles.rbac.authorization.k8s.io "bob-aggregate" is forbidden: must have cluster-admin privileges to use the aggregationRule']);
  });

  it('refuses a binding to a role whose rules the writer does not hold, until they may bind it', async () => {
    const rb = await api(ts.server, 'POST', `${RBAC}/namespaces/team/rolebindings`, binding('bob-secrets', 'ClusterRole', 'secret-reader', 'carol'), BOB);
    assert.deepEqual([rb.status, rb.body.message, rb.body.details], [
      403,
      `rolebindings.rbac.authorization.k8s.io "bob-secrets" is forbidden: ${held(SECRETS_GET)}`,
      { name: 'bob-secrets', group: 'rbac.authorization.k8s.io', kind: 'rolebindings' },
    ]);
    const crb = await api(ts.server, 'POST', `${RBAC}/clusterrolebindings`, binding('bob-secrets', 'ClusterRole', 'secret-reader', 'carol'), BOB);
    assert.deepEqual([crb.status, crb.body.message], [403, `clusterrolebindings.rbac.authorization.k8s.io "bob-secrets" is forbidden: ${held(SECRETS_GET)}`]);
    // A role that does not exist: its NotFound.
    const ghost = await api(ts.server, 'POST', `${RBAC}/namespaces/team/rolebindings`, binding('bob-ghost', 'Role', 'ghost', 'carol'), BOB);
    assert.deepEqual([ghost.status, ghost.body.message], [404, 'roles.rbac.authorization.k8s.io "ghost" not found']);
    // A role whose rules bob holds: bound.
    await asAdmin('POST', `${RBAC}/clusterroles`, clusterRole('configmap-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]));
    assert.equal((await api(ts.server, 'POST', `${RBAC}/namespaces/team/rolebindings`, binding('bob-configmaps', 'ClusterRole', 'configmap-reader', 'carol'), BOB)).status, 201);

    // `bind` on exactly that ClusterRole, in team: the RoleBinding there passes, the ClusterRoleBinding still not.
    await asAdmin('POST', `${RBAC}/clusterroles`, clusterRole('bind-secret-reader', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['secret-reader'] }]));
    await asAdmin('POST', `${RBAC}/namespaces/team/rolebindings`, binding('bob-may-bind', 'ClusterRole', 'bind-secret-reader'));
    const bound = await api(ts.server, 'POST', `${RBAC}/namespaces/team/rolebindings`, binding('bob-secrets', 'ClusterRole', 'secret-reader', 'carol'), BOB);
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    assert.equal((await api(ts.server, 'POST', `${RBAC}/clusterrolebindings`, binding('bob-secrets', 'ClusterRole', 'secret-reader', 'carol'), BOB)).status, 403);
  });

  it('escalate on clusterroles lets the writer grant what they do not hold; kubectl shows the refusal as upstream', async () => {
    const k = (args: string[]) => runKubectl(33, ts.server.kubeconfigPath, args);
    const refused = await k(['create', 'clusterrole', 'kubectl-secrets', '--verb=get', '--resource=secrets', '--as', 'bob']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim(), `Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io "kubectl-secrets" is forbidden: ${held(SECRETS_GET)}`);
    await asAdmin('POST', `${RBAC}/clusterroles`, clusterRole('escalator', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['escalate'] }]));
    await asAdmin('POST', `${RBAC}/clusterrolebindings`, binding('bob-escalator', 'ClusterRole', 'escalator'));
    const created = await k(['create', 'clusterrole', 'kubectl-secrets', '--verb=get', '--resource=secrets', '--as', 'bob']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'clusterrole.rbac.authorization.k8s.io/kubectl-secrets created');
    // escalate on clusterroles says nothing about Roles.
    const role = await api(ts.server, 'POST', `${RBAC}/namespaces/team/roles`, { metadata: { name: 'bob-secrets' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] }, BOB);
    assert.equal(role.status, 403);
  });
});
