/**
 * `--authorization-mode=Node,RBAC`: a kubelet (`system:node:n1` in `system:nodes`, a
 * `--token-auth-file` user here) reads the Secrets, ConfigMaps, PVCs and PersistentVolumes the
 * Pods bound to its node use, requests tokens for their ServiceAccounts, reads and updates its
 * own Node and its Pods' status, creates Events; anything else gets upstream's Forbidden with
 * the Node authorizer's reason. Relationships follow the pods as they are bound and deleted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const N1 = { authorization: 'Bearer n1-token' };
const MERGE = { 'content-type': 'application/merge-patch+json' };
const NS = '/api/v1/namespaces/default';
const unrelated = (what: string, verb: string, resource: string, where = 'in the namespace "default"') =>
  `${what} is forbidden: User "system:node:n1" cannot ${verb} resource "${resource}" in API group "" ${where}: no relationship found between node 'n1' and this object`;

function pod(name: string, node: string, spec: Record<string, unknown> = {}) {
  return { metadata: { name }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

describe('the Node authorizer', () => {
  let ts: TestServer;
  let admin: Record<string, string>;
  const asAdmin = async (method: string, path: string, body?: unknown) => {
    const res = await api(ts.server, method, path, body, method === 'PATCH' ? { ...admin, ...MERGE } : admin);
    assert.ok(res.status < 300, `${method} ${path}: ${JSON.stringify(res.body)}`);
    return res;
  };
  const asNode = (method: string, path: string, body?: unknown) => api(ts.server, method, path, body, method === 'PATCH' ? { ...N1, ...MERGE } : N1);

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wheelhouse-node-authz-'));
    const tokenAuthFile = join(dir, 'tokens.csv');
    await writeFile(tokenAuthFile, ['n1-token,system:node:n1,n1,"system:nodes"', 'nameless-token,system:node:,n0,"system:nodes"', 'bob-token,bob,3001'].join('\n'));
    ts = await startTestServer({ authorizationMode: 'Node,RBAC', anonymousAuth: 'open-paths', tokenAuthFile });
    admin = { authorization: `Bearer ${readFileSync(join(ts.dataDir, 'admin-token'), 'utf8').trim()}` };
    for (const node of ['n1', 'n2']) await asAdmin('POST', '/api/v1/nodes', { metadata: { name: node } });
    for (const name of ['s-volume', 's-env', 's-pull', 's-other']) await asAdmin('POST', `${NS}/secrets`, { metadata: { name }, stringData: { k: 'v' } });
    for (const name of ['cm-volume', 'cm-projected', 'cm-other']) await asAdmin('POST', `${NS}/configmaps`, { metadata: { name }, data: { k: 'v' } });
    for (const name of ['pv-1', 'pv-2']) {
      await asAdmin('POST', '/api/v1/persistentvolumes', { metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/data/${name}` } } });
    }
    for (const [name, volume] of [['claim-1', 'pv-1'], ['claim-2', 'pv-2']]) {
      await asAdmin('POST', `${NS}/persistentvolumeclaims`, { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: volume } });
    }
    await asAdmin('POST', `${NS}/serviceaccounts`, { metadata: { name: 'runner' } });
    await asAdmin(
      'POST',
      `${NS}/pods`,
      pod('p1', 'n1', {
        serviceAccountName: 'runner',
        imagePullSecrets: [{ name: 's-pull' }],
        containers: [{ name: 'c', image: 'busybox', env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 's-env', key: 'k' } } }] }],
        volumes: [
          { name: 'secret', secret: { secretName: 's-volume' } },
          { name: 'config', configMap: { name: 'cm-volume' } },
          { name: 'projected', projected: { sources: [{ configMap: { name: 'cm-projected' } }] } },
          { name: 'data', persistentVolumeClaim: { claimName: 'claim-1' } },
        ],
      }),
    );
    await asAdmin('POST', `${NS}/pods`, pod('p2', 'n2', { volumes: [{ name: 'secret', secret: { secretName: 's-other' } }, { name: 'data', persistentVolumeClaim: { claimName: 'claim-2' } }] }));
  });
  after(() => ts?.stop());

  it('reads what its pods reference and nothing else, with the Node authorizer\'s reasons', async () => {
    for (const path of [`${NS}/secrets/s-volume`, `${NS}/secrets/s-env`, `${NS}/secrets/s-pull`, `${NS}/configmaps/cm-volume`, `${NS}/configmaps/cm-projected`, `${NS}/persistentvolumeclaims/claim-1`, '/api/v1/persistentvolumes/pv-1', `${NS}/pods/p1`, '/api/v1/nodes/n1']) {
      const res = await asNode('GET', path);
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    }
    const other = await asNode('GET', `${NS}/secrets/s-other`);
    assert.deepEqual([other.status, other.body.reason, other.body.message], [403, 'Forbidden', unrelated('secrets "s-other"', 'get', 'secrets')]);
    assert.equal((await asNode('GET', `${NS}/configmaps/cm-other`)).body.message, unrelated('configmaps "cm-other"', 'get', 'configmaps'));
    assert.equal((await asNode('GET', `${NS}/persistentvolumeclaims/claim-2`)).body.message, unrelated('persistentvolumeclaims "claim-2"', 'get', 'persistentvolumeclaims'));
    assert.equal((await asNode('GET', '/api/v1/persistentvolumes/pv-2')).body.message, unrelated('persistentvolumes "pv-2"', 'get', 'persistentvolumes', 'at the cluster scope'));
    assert.equal((await asNode('GET', `${NS}/pods/p2`)).body.message, unrelated('pods "p2"', 'get', 'pods'));
    const otherNode = await asNode('GET', '/api/v1/nodes/n2');
    assert.equal(otherNode.body.message, 'nodes "n2" is forbidden: User "system:node:n1" cannot get resource "nodes" in API group "" at the cluster scope: node \'n1\' cannot read \'n2\', only its own Node object');
    const allNodes = await asNode('GET', '/api/v1/nodes');
    assert.equal(allNodes.body.message, 'nodes is forbidden: User "system:node:n1" cannot list resource "nodes" in API group "" at the cluster scope: node \'n1\' cannot read all nodes, only its own Node object');
    assert.equal((await asNode('GET', '/api/v1/nodes?fieldSelector=metadata.name%3Dn1')).status, 200);
    // Secrets are read one by one: a list needs the name (a metadata.name field selector).
    const list = await asNode('GET', `${NS}/secrets`);
    assert.equal(list.body.message, 'secrets is forbidden: User "system:node:n1" cannot list resource "secrets" in API group "" in the namespace "default": No Object name found');
    const one = await asNode('GET', `${NS}/secrets?fieldSelector=metadata.name%3Ds-volume`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.items.map((s: { metadata: { name: string } }) => s.metadata.name), ['s-volume']);
    const write = await asNode('PUT', `${NS}/secrets/s-volume`, { metadata: { name: 's-volume' } });
    assert.equal(write.body.message, 'secrets "s-volume" is forbidden: User "system:node:n1" cannot update resource "secrets" in API group "" in the namespace "default": can only read resources of this type');
    // Pods are listed by the node's name only (the kubelet's watch); services by the static rules.
    const mine = await asNode('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1');
    assert.deepEqual(mine.body.items.map((p: { metadata: { name: string } }) => p.metadata.name), ['p1']);
    const allPods = await asNode('GET', '/api/v1/pods');
    assert.equal(allPods.body.message, 'pods is forbidden: User "system:node:n1" cannot list resource "pods" in API group "" at the cluster scope: can only list/watch pods with spec.nodeName field selector');
    assert.equal((await asNode('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn2')).status, 403);
    assert.equal((await asNode('GET', '/api/v1/services')).status, 200);
  });

  it('writes its own Node and its pods\' status, creates events and its pods\' service account tokens', async () => {
    assert.equal((await asNode('PATCH', '/api/v1/nodes/n1/status', { status: { phase: 'Running' } })).status, 200);
    assert.equal((await asNode('PATCH', `${NS}/pods/p1/status`, { status: { message: 'from n1' } })).status, 200);
    // Its lease, in kube-node-lease, by its own name only.
    const lease = await asNode('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2');
    assert.equal(lease.body.message, 'leases.coordination.k8s.io "n2" is forbidden: User "system:node:n1" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node');
    assert.equal((await asNode('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1')).status, 404);
    const nodes = await asNode('DELETE', '/api/v1/nodes/n1');
    assert.equal(nodes.body.message, 'nodes "n1" is forbidden: User "system:node:n1" cannot delete resource "nodes" in API group "" at the cluster scope');
    const event = { metadata: { name: 'n1-event' }, involvedObject: { kind: 'Node', name: 'n1' }, reason: 'Started', message: 'kubelet started', type: 'Normal' };
    assert.equal((await asNode('POST', `${NS}/events`, event)).status, 201);
    // NodeRestriction wants the bound pod's uid, as a kubelet sends it.
    const p1 = await asAdmin('GET', `${NS}/pods/p1`);
    const request = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: p1.body.metadata.uid } } };
    const token = await asNode('POST', `${NS}/serviceaccounts/runner/token`, request);
    assert.equal(token.status, 201, JSON.stringify(token.body));
    const other = await asNode('POST', `${NS}/serviceaccounts/default/token`, request);
    assert.equal(other.body.message, unrelated('serviceaccounts "default"', 'create', 'serviceaccounts/token'));
    // Nothing else: deleting a Secret is no node's business.
    assert.equal((await asNode('DELETE', `${NS}/secrets/s-volume`)).status, 403);
  });

  it('follows the pods: deleted, its secrets are out of reach; a nameless node and other users get no node rights', async () => {
    assert.equal((await asNode('GET', `${NS}/secrets/s-other`)).status, 403);
    await asAdmin('DELETE', `${NS}/pods/p2?gracePeriodSeconds=0`);
    await asAdmin('POST', `${NS}/pods`, pod('p3', 'n1', { volumes: [{ name: 'secret', secret: { secretName: 's-other' } }] }));
    assert.equal((await asNode('GET', `${NS}/secrets/s-other`)).status, 200);
    await asAdmin('DELETE', `${NS}/pods/p3?gracePeriodSeconds=0`);
    assert.equal((await asNode('GET', `${NS}/secrets/s-other`)).status, 403);

    const nameless = await api(ts.server, 'GET', `${NS}/secrets/s-volume`, undefined, { authorization: 'Bearer nameless-token' });
    assert.equal(nameless.body.message, 'secrets "s-volume" is forbidden: User "system:node:" cannot get resource "secrets" in API group "" in the namespace "default": unknown node for user "system:node:"');
    const bob = await api(ts.server, 'GET', `${NS}/secrets/s-volume`, undefined, { authorization: 'Bearer bob-token' });
    assert.equal(bob.body.message, 'secrets "s-volume" is forbidden: User "bob" cannot get resource "secrets" in API group "" in the namespace "default"');
    assert.equal((await api(ts.server, 'GET', '/api/v1/services', undefined, { authorization: 'Bearer bob-token' })).status, 403);
    // Upstream's system:node ClusterRole holds the node rules; its binding names nobody (the Node authorizer decides).
    const role = await asAdmin('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node');
    assert.ok(role.body.rules.some((r: { resources?: string[]; verbs: string[] }) => r.resources?.includes('serviceaccounts/token') && r.verbs.includes('create')), JSON.stringify(role.body.rules));
    const binding = await asAdmin('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:node');
    assert.deepEqual([binding.body.roleRef.name, binding.body.subjects], ['system:node', undefined]);
  });
});
