/**
 * NodeRestriction (with `--authorization-mode=Node,RBAC`): a kubelet, `system:node:n1` in
 * `system:nodes` (a `--token-auth-file` user), creates only mirror pods bound to and owned by
 * itself that reference nothing; deletes and updates the status of its own pods only; writes
 * only its own Node, without its taints or restricted labels; gets tokens only bound to pods on
 * itself; writes only its own Lease. Refusals carry upstream's messages, over gRPC too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { PodServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { api, grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { grpcFailure, toMessage, unary } from '../parity/grpc-helpers.js';

const N1 = { authorization: 'Bearer n1-token' };
const MERGE = { 'content-type': 'application/merge-patch+json' };
const NS = '/api/v1/namespaces/default';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';

function forbidden(what: string, why: string) {
  return `${what} is forbidden: ${why}`;
}

describe('the NodeRestriction admission plugin', () => {
  let ts: TestServer;
  let admin: Record<string, string>;
  let n1Uid = '';
  const uids: Record<string, string> = {};
  const asAdmin = async (method: string, path: string, body?: unknown) => {
    const res = await api(ts.server, method, path, body, method === 'PATCH' ? { ...admin, ...MERGE } : admin);
    assert.ok(res.status < 300, `${method} ${path}: ${JSON.stringify(res.body)}`);
    return res;
  };
  const asNode = (method: string, path: string, body?: unknown) => api(ts.server, method, path, body, method === 'PATCH' ? { ...N1, ...MERGE } : N1);
  const refusal = async (method: string, path: string, body: unknown, message: string) => {
    const res = await asNode(method, path, body);
    assert.deepEqual([res.status, res.body.reason, res.body.message], [403, 'Forbidden', message], JSON.stringify(res.body));
    return res;
  };
  /** A mirror pod as the kubelet writes it: annotated, bound to and owned by its Node. */
  const mirrorPod = (name: string, node = 'n1', spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
    metadata: {
      name,
      annotations: { 'kubernetes.io/config.mirror': 'hash' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: n1Uid, controller: true }],
      ...meta,
    },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], ...spec },
  });

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wheelhouse-node-restriction-'));
    const tokenAuthFile = join(dir, 'tokens.csv');
    await writeFile(tokenAuthFile, 'n1-token,system:node:n1,n1,"system:nodes"\nn3-token,system:node:n3,n3,"system:nodes"\n');
    ts = await startTestServer({ authorizationMode: 'Node,RBAC', anonymousAuth: 'open-paths', tokenAuthFile });
    admin = { authorization: `Bearer ${readFileSync(join(ts.dataDir, 'admin-token'), 'utf8').trim()}` };
    for (const node of ['n1', 'n2']) await asAdmin('POST', '/api/v1/nodes', { metadata: { name: node } });
    n1Uid = (await asAdmin('GET', '/api/v1/nodes/n1')).body.metadata.uid;
    await asAdmin('POST', `${NS}/serviceaccounts`, { metadata: { name: 'runner' } });
    for (const [name, node] of [['p1', 'n1'], ['p2', 'n2']]) {
      const res = await asAdmin('POST', `${NS}/pods`, { metadata: { name }, spec: { nodeName: node, serviceAccountName: 'runner', containers: [{ name: 'c', image: 'busybox' }] } });
      uids[name] = res.body.metadata.uid;
    }
  });
  after(() => ts?.stop());

  it('lets a node create only mirror pods bound to and owned by itself that reference nothing', async () => {
    const created = await asNode('POST', `${NS}/pods`, mirrorPod('static-web'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.spec.nodeName, 'n1');

    await refusal('POST', `${NS}/pods`, { metadata: { name: 'plain' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } },
      forbidden('pods "plain"', 'pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods'));
    await refusal('POST', `${NS}/pods`, mirrorPod('elsewhere', 'n2'), forbidden('pods "elsewhere"', 'node "n1" can only create pods with spec.nodeName set to itself'));
    await refusal('POST', `${NS}/pods`, mirrorPod('orphan', 'n1', {}, { ownerReferences: [] }), forbidden('pods "orphan"', 'node "n1" can only create pods with an owner reference set to itself'));
    await refusal('POST', `${NS}/pods`, mirrorPod('stale-owner', 'n1', {}, { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'not-the-uid', controller: true }] }),
      forbidden('pods "stale-owner"', `node n1 UID mismatch: expected not-the-uid got ${n1Uid}`));
    await refusal('POST', `${NS}/pods`, mirrorPod('with-account', 'n1', { serviceAccountName: 'runner' }), forbidden('pods "with-account"', 'node "n1" can not create pods that reference a service account'));
    await refusal('POST', `${NS}/pods`, mirrorPod('with-secret', 'n1', { volumes: [{ name: 's', secret: { secretName: 'x' } }] }), forbidden('pods "with-secret"', 'node "n1" can not create pods that reference secrets'));
    await refusal('POST', `${NS}/pods`, mirrorPod('with-env', 'n1', { containers: [{ name: 'c', image: 'busybox', env: [{ name: 'E', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] }] }),
      forbidden('pods "with-env"', 'node "n1" can not create pods that reference configmaps'));
    await refusal('POST', `${NS}/pods`, mirrorPod('with-claim', 'n1', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'c' } }] }),
      forbidden('pods "with-claim"', 'node "n1" can not create pods that reference persistentvolumeclaims'));
    assert.equal((await asAdmin('GET', `${NS}/pods?fieldSelector=spec.nodeName%3Dn1`)).body.items.length, 2);
  });

  it('lets a node update the status of and delete only pods bound to itself', async () => {
    const mine = await asNode('PATCH', `${NS}/pods/p1/status`, { status: { message: 'from n1' } });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.equal(mine.body.status.message, 'from n1');
    await refusal('PATCH', `${NS}/pods/p2/status`, { status: { message: 'from n1' } }, forbidden('pods "p2"', 'node "n1" can only update pod status for pods with spec.nodeName set to itself'));
    await refusal('PATCH', `${NS}/pods/p1/status`, { metadata: { labels: { stolen: 'yes' } } }, forbidden('pods "p1"', 'node "n1" cannot update labels through pod status'));
    await refusal('DELETE', `${NS}/pods/p2`, undefined, forbidden('pods "p2"', 'node "n1" can only delete pods with spec.nodeName set to itself'));
    const evict = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p2', namespace: 'default' } };
    await refusal('POST', `${NS}/pods/p2/eviction`, evict, forbidden('pods "p2"', 'node n1 can only evict pods with spec.nodeName set to itself'));
    assert.equal((await asAdmin('GET', `${NS}/pods/p2`)).body.status.message, undefined);
    const deleted = await asNode('DELETE', `${NS}/pods/static-web?gracePeriodSeconds=0`);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  });

  it('lets a node write only its own Node, without its taints or restricted labels', async () => {
    const own = await asNode('PATCH', '/api/v1/nodes/n1', { metadata: { labels: { 'example.com/rack': 'r1', 'node.kubernetes.io/instance-type': 'big', 'kubernetes.io/hostname': 'n1' } } });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.metadata.labels['example.com/rack'], 'r1');
    await refusal('PATCH', '/api/v1/nodes/n2', { metadata: { labels: { a: 'b' } } }, forbidden('nodes "n2"', 'node "n1" is not allowed to modify node "n2"'));
    await refusal('PATCH', '/api/v1/nodes/n2/status', { status: { phase: 'Running' } }, forbidden('nodes "n2"', 'node "n1" is not allowed to modify node "n2"'));
    await refusal('PATCH', '/api/v1/nodes/n1', { metadata: { labels: { 'node-restriction.kubernetes.io/trusted': 'yes', 'kubernetes.io/role': 'master' } } },
      forbidden('nodes "n1"', 'is not allowed to modify labels: kubernetes.io/role, node-restriction.kubernetes.io/trusted'));
    await refusal('PATCH', '/api/v1/nodes/n1', { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }, forbidden('nodes "n1"', 'node "n1" is not allowed to modify taints'));
    assert.equal((await asAdmin('GET', '/api/v1/nodes/n1')).body.spec.taints, undefined);
  });

  it('lets a node register only itself, with the kubelet\'s labels only', async () => {
    const N3 = { authorization: 'Bearer n3-token' };
    const other = await api(ts.server, 'POST', '/api/v1/nodes', { metadata: { name: 'n4' } }, N3);
    assert.deepEqual([other.status, other.body.message], [403, forbidden('nodes "n4"', 'node "n3" is not allowed to modify node "n4"')]);
    const labelled = await api(ts.server, 'POST', '/api/v1/nodes', { metadata: { name: 'n3', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/os': 'linux' } } }, N3);
    assert.deepEqual([labelled.status, labelled.body.message], [403, forbidden('nodes "n3"', 'node "n3" is not allowed to set the following labels: node-role.kubernetes.io/control-plane')]);
    const registered = await api(ts.server, 'POST', '/api/v1/nodes', { metadata: { name: 'n3', labels: { 'kubernetes.io/os': 'linux', 'kubelet.kubernetes.io/custom': 'x' } } }, N3);
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    // Its CSINode by its own name only.
    const csiNode = (name: string) => ({ metadata: { name }, spec: { drivers: [] } });
    assert.equal((await api(ts.server, 'POST', '/apis/storage.k8s.io/v1/csinodes', csiNode('n3'), N3)).status, 201);
    const foreign = await api(ts.server, 'POST', '/apis/storage.k8s.io/v1/csinodes', csiNode('n1'), N3);
    assert.deepEqual([foreign.status, foreign.body.message], [403, forbidden('csinodes.storage.k8s.io "n1"', 'can only access CSINode with the same name as the requesting node')]);
  });

  it('gives a node tokens only bound to pods on itself', async () => {
    const request = (pod: string, uid?: string) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod, ...(uid ? { uid } : {}) } } });
    const token = await asNode('POST', `${NS}/serviceaccounts/runner/token`, request('p1', uids.p1));
    assert.equal(token.status, 201, JSON.stringify(token.body));
    assert.ok(token.body.status.token);
    await refusal('POST', `${NS}/serviceaccounts/runner/token`, request('p2', uids.p2), forbidden('serviceaccounts "runner"', 'node requested token bound to a pod scheduled on a different node'));
    await refusal('POST', `${NS}/serviceaccounts/runner/token`, request('p1'), forbidden('serviceaccounts "runner"', 'node requested token with a pod binding without a uid'));
    await refusal('POST', `${NS}/serviceaccounts/runner/token`, request('p1', 'not-the-uid'),
      forbidden('serviceaccounts "runner"', 'the UID in the bound object reference (not-the-uid) does not match the UID in record. The object might have been deleted and then recreated'));
  });

  it('lets a node write only its own Lease', async () => {
    const lease = (name: string) => ({ metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40 } });
    assert.equal((await asNode('POST', LEASES, lease('n1'))).status, 201);
    await refusal('POST', LEASES, lease('n2'), forbidden('leases.coordination.k8s.io "n2"', 'can only access node lease with the same name as the requesting node'));
    assert.equal((await asNode('PATCH', `${LEASES}/n1`, { spec: { leaseDurationSeconds: 41 } })).status, 200);
  });

  it('refuses over gRPC with the same Status', async () => {
    const client = new PodServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server, false));
    try {
      const md = new Metadata();
      md.set('authorization', N1.authorization);
      const body = mirrorPod('grpc-elsewhere', 'n2');
      const failure = await grpcFailure(() => unary((cb) => client.create({ namespace: 'default', object: toMessage('k8s.io.api.core.v1.Pod', body) }, md, cb)));
      assert.equal(failure.grpcCode, GrpcStatus.PERMISSION_DENIED);
      const http = await refusal('POST', `${NS}/pods`, body, forbidden('pods "grpc-elsewhere"', 'node "n1" can only create pods with spec.nodeName set to itself'));
      assert.equal(failure.details, http.body.message);
      assert.deepEqual(failure.status, http.body);
    } finally {
      client.close();
    }
  });
});
