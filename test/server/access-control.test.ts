/**
 * Authentication and authorization as a user meets them with RBAC enforced and anonymous
 * requests only on the open paths: the admin token from the data
 * directory, `--token-auth-file` users, RoleBindings to the bootstrap `view` role,
 * impersonation, and the same decisions over gRPC. Messages are upstream's.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import type { ConfigMapList } from '../../gen/k8s/io/api/core/v1/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { grpcFailure, unary } from '../parity/grpc-helpers.js';
import { api, grpcCredentials } from '../helpers/server.js';
import { runKubectl } from '../helpers/kubectl.js';

const TOKENS = ['alice-token,alice,1001,"dev,qa"', 'bob-token,bob,1002', 'carol-token,carol,1003'].join('\n');

function unauthorizedStatus() {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Enforcing access control, anonymous only on the open paths (the defaults once TLS is served). */
const RBAC = { authorizationMode: 'RBAC', anonymousAuth: 'open-paths' } as const;

describe('access control (RBAC, anonymous only on the open paths)', () => {
  let server: RunningServer;
  let dataDir: string;
  let admin: Record<string, string>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-access-'));
    const tokenFile = join(dataDir, 'tokens.csv');
    await writeFile(tokenFile, TOKENS);
    server = await startServer({ plainHttp: true, ...RBAC, dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'warn', tokenAuthFile: tokenFile });
    admin = bearer(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
    for (const ns of ['team', 'other']) assert.equal((await api(server, 'POST', '/api/v1/namespaces', { metadata: { name: ns } }, admin)).status, 201);
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('anonymous requests reach only the open paths; a wrong token reaches nothing', async () => {
    for (const path of ['/version', '/healthz', '/livez', '/readyz']) assert.equal((await api(server, 'GET', path)).status, 200, path);
    for (const path of ['/api/v1/namespaces', '/api/v1/namespaces/default/secrets', '/apis', '/metrics', '/openapi/v2']) {
      const res = await api(server, 'GET', path);
      assert.equal(res.status, 401, path);
      assert.deepEqual(res.body, unauthorizedStatus(), path);
    }
    const wrong = await api(server, 'GET', '/version', undefined, bearer('not-a-token'));
    assert.deepEqual([wrong.status, wrong.body], [401, unauthorizedStatus()]);
    assert.equal((await api(server, 'GET', '/api/v1/namespaces/default/secrets', undefined, admin)).status, 200);
  });

  it('an unbound user gets discovery and upstream\'s Forbidden for everything else', async () => {
    assert.equal((await api(server, 'GET', '/api', undefined, bearer('bob-token'))).status, 200);
    assert.equal((await api(server, 'GET', '/apis/apps/v1', undefined, bearer('bob-token'))).status, 200);
    const list = await api(server, 'GET', '/api/v1/namespaces/default/pods', undefined, bearer('bob-token'));
    assert.equal(list.status, 403);
    assert.deepEqual(list.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
    const get = await api(server, 'GET', '/apis/apps/v1/namespaces/default/deployments/web/scale', undefined, bearer('bob-token'));
    assert.equal(get.body.message, 'deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments/scale" in API group "apps" in the namespace "default"');
    assert.deepEqual(get.body.details, { name: 'web', group: 'apps', kind: 'deployments' });
    const nodes = await api(server, 'GET', '/api/v1/nodes', undefined, bearer('bob-token'));
    assert.equal(nodes.body.message, 'nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope');
    const metrics = await api(server, 'GET', '/metrics', undefined, bearer('bob-token'));
    assert.deepEqual([metrics.status, metrics.body.message, metrics.body.details], [403, 'forbidden: User "bob" cannot get path "/metrics"', {}]);
    // Refused before the resource is looked up: a resource that does not exist is forbidden too.
    const ghost = await api(server, 'GET', '/apis/example.com/v1/widgets', undefined, bearer('bob-token'));
    assert.equal(ghost.body.message, 'widgets.example.com is forbidden: User "bob" cannot list resource "widgets" in API group "example.com" at the cluster scope');
  });

  it('a RoleBinding to view grants reads in its namespace only, at once, and never Secrets; deleting it revokes', async () => {
    const binding = {
      metadata: { name: 'alice-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'alice' }],
    };
    const before = await api(server, 'GET', '/api/v1/namespaces/team/pods', undefined, bearer('alice-token'));
    assert.equal(before.status, 403);
    assert.equal((await api(server, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', binding, admin)).status, 201);
    // Effective as soon as the write is acknowledged.
    assert.equal((await api(server, 'GET', '/api/v1/namespaces/team/pods', undefined, bearer('alice-token'))).status, 200);
    assert.equal((await api(server, 'GET', '/api/v1/namespaces/team/configmaps', undefined, bearer('alice-token'))).status, 200);
    const elsewhere = await api(server, 'GET', '/api/v1/namespaces/other/pods', undefined, bearer('alice-token'));
    assert.equal(elsewhere.body.message, 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "other"');
    const secrets = await api(server, 'GET', '/api/v1/namespaces/team/secrets', undefined, bearer('alice-token'));
    assert.equal(secrets.body.message, 'secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "team"');
    const write = await api(server, 'POST', '/api/v1/namespaces/team/configmaps', { metadata: { name: 'x' } }, bearer('alice-token'));
    assert.equal(write.body.message, 'configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "team"');

    assert.equal((await api(server, 'DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings/alice-view', undefined, admin)).status, 200);
    const deadline = Date.now() + 5000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      status = (await api(server, 'GET', '/api/v1/namespaces/team/pods', undefined, bearer('alice-token'))).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 403, 'the deleted binding still grants after 5 s');
  });

  it('groups from the token file bind; a binding to a missing role is named in the reason', async () => {
    const byGroup = {
      metadata: { name: 'qa-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'Group', name: 'qa' }],
    };
    assert.equal((await api(server, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/other/rolebindings', byGroup, admin)).status, 201);
    assert.equal((await api(server, 'POST', '/api/v1/namespaces/other/configmaps', { metadata: { name: 'by-alice' } }, bearer('alice-token'))).status, 201);
    const ghost = {
      metadata: { name: 'carol-ghost' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ghost' },
      subjects: [{ kind: 'User', name: 'carol' }],
    };
    assert.equal((await api(server, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/other/rolebindings', ghost, admin)).status, 201);
    const refused = await api(server, 'GET', '/api/v1/namespaces/other/pods', undefined, bearer('carol-token'));
    assert.equal(refused.body.message, 'pods is forbidden: User "carol" cannot list resource "pods" in API group "" in the namespace "other": RBAC: role.rbac.authorization.k8s.io "ghost" not found');
  });

  it('aggregates labelled ClusterRoles into view, edit and admin, and grants what they gather', async () => {
    const widgets = { verbs: ['get', 'list', 'watch'], apiGroups: ['example.com'], resources: ['widgets'] }; // in the schema's field order, as served
    const reader = { metadata: { name: 'widgets-reader', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [widgets] };
    assert.equal((await api(server, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', reader, admin)).status, 201);
    const rulesOf = async (name: string) => (await api(server, 'GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`, undefined, admin)).body.rules as unknown[];
    const waitFor = async (name: string, present: boolean) => {
      const deadline = Date.now() + 5000;
      let has = false;
      while (Date.now() < deadline) {
        has = (await rulesOf(name)).some((r) => JSON.stringify(r) === JSON.stringify(widgets));
        if (has === present) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(has, present, `${name} ${present ? 'never gathered' : 'kept'} the widgets rule`);
    };
    for (const name of ['view', 'edit', 'admin']) await waitFor(name, true);
    // alice is in group qa, bound to edit in "other" (an earlier test): she may now list widgets there.
    const list = await api(server, 'GET', '/apis/example.com/v1/namespaces/other/widgets', undefined, bearer('alice-token'));
    assert.equal(list.status, 404, JSON.stringify(list.body));
    // Unlabelled, the role's rules leave the aggregates again.
    assert.equal((await api(server, 'PATCH', '/apis/rbac.authorization.k8s.io/v1/clusterroles/widgets-reader', { metadata: { labels: null } }, { ...admin, 'content-type': 'application/merge-patch+json' })).status, 200);
    for (const name of ['view', 'edit', 'admin']) await waitFor(name, false);
    // A revocation takes effect within the policy's refresh interval (1 s).
    const deadline = Date.now() + 3000;
    let status = 404;
    while (status !== 403 && Date.now() < deadline) {
      status = (await api(server, 'GET', '/apis/example.com/v1/namespaces/other/widgets', undefined, bearer('alice-token'))).status;
      if (status !== 403) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 403);
  });

  it('impersonation needs the impersonate verb; the call then runs as the impersonated user', async () => {
    const asBob = await api(server, 'GET', '/api/v1/namespaces/default/pods', undefined, { ...admin, 'impersonate-user': 'bob' });
    assert.equal(asBob.body.message, 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"');
    const aliceAsBob = await api(server, 'GET', '/api/v1/namespaces/default/pods', undefined, { ...bearer('alice-token'), 'impersonate-user': 'bob' });
    assert.equal(aliceAsBob.status, 403);
    assert.equal(aliceAsBob.body.message, 'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
    const asMasters = await api(server, 'GET', '/api/v1/namespaces/default/pods', undefined, { ...admin, 'impersonate-user': 'bob', 'impersonate-group': 'system:masters' });
    assert.equal(asMasters.status, 200);
    const groupOnly = await api(server, 'GET', '/api/v1/namespaces/default/pods', undefined, { ...admin, 'impersonate-group': 'system:masters' });
    assert.equal(groupOnly.status, 400);
  });

  it('answers the access reviews: who am I, may I, which rules, whose token', async () => {
    const who = await api(server, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, bearer('alice-token'));
    assert.equal(who.status, 201);
    assert.deepEqual(who.body.status, { userInfo: { username: 'alice', uid: '1001', groups: ['dev', 'qa', 'system:authenticated'] } });
    const token = await api(server, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { spec: { token: 'bob-token' } }, admin);
    assert.deepEqual([token.status, token.body.status], [201, { authenticated: true, user: { username: 'bob', uid: '1002', groups: ['system:authenticated'] } }]);
    const bad = await api(server, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { spec: { token: 'nope' } }, admin);
    assert.deepEqual(bad.body.status, { user: {} });
    // Reviewing another user's access is itself authorised: bob may not.
    const sar = { spec: { user: 'bob', resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'default' } } };
    const refused = await api(server, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar, bearer('bob-token'));
    assert.equal(refused.body.message, 'subjectaccessreviews.authorization.k8s.io is forbidden: User "bob" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope');
    const answered = await api(server, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar, admin);
    assert.deepEqual([answered.status, answered.body.status], [201, { allowed: false }]);
    const self = await api(server, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: { nonResourceAttributes: { path: '/version', verb: 'get' } } }, bearer('bob-token'));
    assert.deepEqual(self.body.status, { allowed: true });
    const neither = await api(server, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: {} }, bearer('bob-token'));
    assert.deepEqual([neither.status, neither.body.message], [422, 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified']);
    const rules = await api(server, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec: { namespace: 'default' } }, bearer('bob-token'));
    assert.equal(rules.status, 201);
    assert.equal(rules.body.status.incomplete, false);
    assert.ok(rules.body.status.resourceRules.some((r: { resources?: string[] }) => r.resources?.includes('selfsubjectaccessreviews')), JSON.stringify(rules.body.status));
    assert.ok(rules.body.status.nonResourceRules.some((r: { nonResourceURLs?: string[] }) => r.nonResourceURLs?.includes('/api/*')));
  });

  it('gRPC calls carry the same credentials and get the same decisions', async () => {
    const client = new ConfigMapServiceClient(server.grpcAddress, grpcCredentials(server));
    try {
      const md = (headers: Record<string, string>) => {
        const m = new Metadata();
        for (const [k, v] of Object.entries(headers)) m.set(k, v);
        return m;
      };
      const none = await grpcFailure(() => unary<ConfigMapList>((cb) => client.list({ namespace: 'default' }, new Metadata(), cb)));
      assert.equal(none.grpcCode, GrpcStatus.UNAUTHENTICATED);
      assert.deepEqual([none.status.reason, none.status.message, none.status.code], ['Unauthorized', 'Unauthorized', 401]);
      const bob = await grpcFailure(() => unary<ConfigMapList>((cb) => client.list({ namespace: 'default' }, md(bearer('bob-token')), cb)));
      assert.equal(bob.grpcCode, GrpcStatus.PERMISSION_DENIED);
      assert.equal(bob.status.message, 'configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default"');
      const list = await unary<ConfigMapList>((cb) => client.list({ namespace: 'default' }, md(admin), cb));
      assert.ok(Array.isArray(list.items));
    } finally {
      client.close();
    }
  });
});

describe('--authorization-mode and --token-auth-file', () => {
  it('AlwaysDeny refuses everyone but system:masters, with upstream\'s reason', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-deny-'));
    const tokenFile = join(dataDir, 'tokens.csv');
    await writeFile(tokenFile, TOKENS);
    const server = await startServer({ plainHttp: true, dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'warn', tokenAuthFile: tokenFile, authorizationMode: 'AlwaysDeny', anonymousAuth: false });
    try {
      const admin = bearer(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
      assert.equal((await api(server, 'GET', '/api/v1/namespaces', undefined, admin)).status, 200);
      const res = await api(server, 'GET', '/api/v1/namespaces', undefined, bearer('bob-token'));
      assert.equal(res.body.message, 'namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope: Everything is forbidden.');
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed token file and an unknown mode at start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-badtokens-'));
    try {
      const tokenFile = join(dataDir, 'tokens.csv');
      await writeFile(tokenFile, 'only,two\n');
      await assert.rejects(startServer({ plainHttp: true, dataDir, port: 0, grpcPort: 0, logLevel: 'fatal', tokenAuthFile: tokenFile }), {
        message: `token file '${tokenFile}' must have at least 3 columns (token, user name, user uid), found 2`,
      });
      await assert.rejects(startServer({ plainHttp: true, dataDir, port: 0, grpcPort: 0, logLevel: 'fatal', authorizationMode: 'RBAC,Magic' }), {
        message: 'authorization-mode "Magic" is not a valid mode (supported: AlwaysAllow, AlwaysDeny, Node, RBAC)',
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('kubectl against RBAC', () => {
  // kubectl sends no credentials over plain HTTP, so until TLS is served it runs as
  // system:anonymous; bound here to cluster-admin, it may impersonate, and impersonated users
  // meet RBAC exactly as themselves.
  let server: RunningServer;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-kubectl-rbac-'));
    server = await startServer({ plainHttp: true, dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'warn', authorizationMode: 'RBAC', anonymousAuth: true });
    const admin = bearer(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim());
    const grant = {
      metadata: { name: 'anonymous-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', name: 'system:anonymous' }],
    };
    const before = await api(server, 'GET', '/api/v1/namespaces/default/pods');
    assert.equal(before.body.message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
    assert.equal((await api(server, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', grant, admin)).status, 201);
    const view = { metadata: { name: 'bob-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'bob' }] };
    assert.equal((await api(server, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', view, admin)).status, 201);
  });
  after(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('auth whoami, auth can-i (--list, --as) and --as answer as upstream', async () => {
    const k = (args: string[]) => runKubectl(33, server.kubeconfigPath, args);
    const whoami = await k(['auth', 'whoami']);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /Username\s+system:anonymous\n/);
    assert.match(whoami.stdout, /Groups\s+\[system:unauthenticated\]/);
    const asBob = await k(['auth', 'whoami', '--as', 'bob', '--as-group', 'qa', '-o', 'json']);
    assert.deepEqual(JSON.parse(asBob.stdout).status.userInfo, { username: 'bob', groups: ['qa', 'system:authenticated'] });
    const yes = await k(['auth', 'can-i', 'list', 'pods', '--as', 'bob']);
    assert.deepEqual([yes.code, yes.stdout], [0, 'yes\n']);
    const no = await k(['auth', 'can-i', 'list', 'secrets', '--as', 'bob']);
    assert.deepEqual([no.code, no.stdout], [1, 'no\n']);
    const elsewhere = await k(['auth', 'can-i', 'list', 'pods', '-n', 'kube-system', '--as', 'bob']);
    assert.deepEqual([elsewhere.code, elsewhere.stdout], [1, 'no\n']);
    assert.equal((await k(['get', 'pods', '--as', 'bob'])).code, 0);
    const forbidden = await k(['get', 'secrets', '--as', 'bob']);
    assert.equal(forbidden.code, 1);
    assert.equal(forbidden.stderr.trim(), 'Error from server (Forbidden): secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "default"');
    const list = await k(['auth', 'can-i', '--list', '--as', 'bob']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    assert.match(list.stdout, /configmaps\s+\[\]\s+\[\]\s+\[get list watch\]/);
  });
});
