/**
 * kubectl as a user of its own (a `--token-auth-file` token in a kubeconfig of its own, over
 * TLS, no impersonation) bound to `view` in one namespace: lists Pods there and nowhere else,
 * reads its namespace object and no other, never Secrets; kubectl prints upstream's text.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { runKubectl } from '../helpers/kubectl.js';

describe('kubectl: a user bound to view in one namespace', () => {
  let ts: TestServer;
  let kubeconfig: string;
  const k = (args: string[]) => runKubectl(33, kubeconfig, args);

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wheelhouse-namespace-view-'));
    const tokenAuthFile = join(dir, 'tokens.csv');
    await writeFile(tokenAuthFile, 'alice-token,alice,4001\n');
    ts = await startTestServer({ plainHttp: false, authorizationMode: 'RBAC', anonymousAuth: 'open-paths', tokenAuthFile });
    const admin = { authorization: `Bearer ${readFileSync(join(ts.dataDir, 'admin-token'), 'utf8').trim()}` };
    const must = async (path: string, body: unknown) => {
      const res = await api(ts.server, 'POST', path, body, admin);
      assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
    };
    for (const name of ['team', 'other']) await must('/api/v1/namespaces', { metadata: { name } });
    for (const ns of ['team', 'other']) {
      await must(`/api/v1/namespaces/${ns}/pods`, { metadata: { name: `web-${ns}` }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
      await must(`/api/v1/namespaces/${ns}/secrets`, { metadata: { name: 'db' }, stringData: { password: 'hunter2' } });
    }
    await must('/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
      metadata: { name: 'alice-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'alice' }],
    });
    kubeconfig = join(dir, 'alice.kubeconfig');
    await writeFile(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'wheelhouse', cluster: { server: ts.server.url, 'certificate-authority-data': Buffer.from(ts.server.pki.trustedCaPem).toString('base64') } }],
        users: [{ name: 'alice', user: { token: 'alice-token' } }],
        contexts: [{ name: 'alice', context: { cluster: 'wheelhouse', user: 'alice', namespace: 'team' } }],
        'current-context': 'alice',
      }),
      { mode: 0o600 },
    );
  });
  after(() => ts?.stop());

  it('is alice, and lists the Pods of its namespace', async () => {
    const who = await k(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    assert.deepEqual([who.code, who.stdout], [0, 'alice']);
    const pods = await k(['get', 'pods', '-o', 'name']);
    assert.deepEqual([pods.code, pods.stdout, pods.stderr], [0, 'pod/web-team\n', '']);
    const ns = await k(['get', 'namespace', 'team', '-o', 'name']);
    assert.deepEqual([ns.code, ns.stdout], [0, 'namespace/team\n']);
    const can = await k(['auth', 'can-i', 'list', 'pods']);
    assert.deepEqual([can.code, can.stdout], [0, 'yes\n']);
  });

  it('lists Pods nowhere else, reads no other namespace, and no Secrets', async () => {
    const cases: Array<[string[], string]> = [
      [['get', 'pods', '-n', 'other'], 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "other"'],
      [['get', 'pods', '-A'], 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope'],
      [['get', 'pod', 'web-other', '-n', 'other'], 'Error from server (Forbidden): pods "web-other" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "other"'],
      [['get', 'namespace', 'other'], 'Error from server (Forbidden): namespaces "other" is forbidden: User "alice" cannot get resource "namespaces" in API group "" in the namespace "other"'],
      [['get', 'secrets'], 'Error from server (Forbidden): secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "team"'],
      [['get', 'secret', 'db', '-o', 'yaml'], 'Error from server (Forbidden): secrets "db" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "team"'],
      [['delete', 'pod', 'web-team'], 'Error from server (Forbidden): pods "web-team" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "team"'],
    ];
    for (const [args, message] of cases) {
      const res = await k(args);
      assert.deepEqual([res.code, res.stdout, res.stderr.trim()], [1, '', message], `kubectl ${args.join(' ')}`);
    }
    const can = await k(['auth', 'can-i', 'get', 'secrets']);
    assert.deepEqual([can.code, can.stdout], [1, 'no\n']);
    const elsewhere = await k(['auth', 'can-i', 'list', 'pods', '-n', 'other']);
    assert.deepEqual([elsewhere.code, elsewhere.stdout], [1, 'no\n']);
  });
});
