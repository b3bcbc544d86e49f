/**
 * Authentication and authorization as a user meets them on a server with the default
 * access settings (RBAC, anonymous only on the open paths): the admin token from the data
 * directory, `--token-auth-file` users, RoleBindings to the bootstrap `view` role,
 * impersonation, and the same decisions over gRPC. Messages are upstream's.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import type { ConfigMapList } from '../../gen/k8s/io/api/core/v1/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { grpcFailure, unary } from '../parity/grpc-helpers.js';
import { api } from '../helpers/server.js';

const TOKENS = ['alice-token,alice,1001,"dev,qa"', 'bob-token,bob,1002', 'carol-token,carol,1003'].join('\n');

function unauthorizedStatus() {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('access control (RBAC, default anonymous access)', () => {
  let server: RunningServer;
  let dataDir: string;
  let admin: Record<string, string>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-access-'));
    const tokenFile = join(dataDir, 'tokens.csv');
    await writeFile(tokenFile, TOKENS);
    server = await startServer({ dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'warn', tokenAuthFile: tokenFile });
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

  it('gRPC calls carry the same credentials and get the same decisions', async () => {
    const client = new ConfigMapServiceClient(server.grpcAddress, credentials.createInsecure());
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
    const server = await startServer({ dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'warn', tokenAuthFile: tokenFile, authorizationMode: 'AlwaysDeny' });
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
      await assert.rejects(startServer({ dataDir, port: 0, grpcPort: 0, logLevel: 'fatal', tokenAuthFile: tokenFile }), {
        message: `token file '${tokenFile}' must have at least 3 columns (token, user name, user uid), found 2`,
      });
      await assert.rejects(startServer({ dataDir, port: 0, grpcPort: 0, logLevel: 'fatal', authorizationMode: 'RBAC,Magic' }), {
        message: 'authorization-mode "Magic" is not a valid mode (supported: AlwaysAllow, AlwaysDeny, RBAC)',
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
