/**
 * The action subresources and the computed kind of core/v1, over HTTP (JSON and protobuf
 * bodies) and through kubectl 1.33, with upstream's answers:
 *   - pods/binding (core/v1 Binding): binds once, sets PodScheduled, copies annotations,
 *     honours uid/resourceVersion, refuses a bound pod with upstream's Conflict;
 *   - pods/eviction (policy/v1 and v1beta1 Eviction): PodDisruptionBudgets consulted and
 *     decremented, 429 with the DisruptionBudget cause, more than one budget, terminal and
 *     pending pods, dryRun, delete options; `kubectl drain` of a node;
 *   - serviceaccounts/token (authentication.k8s.io/v1 TokenRequest): defaults, validation,
 *     bound objects, a signed JWT; `kubectl create token`;
 *   - componentstatuses (read-only): `kubectl get cs`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeWireMessage, kubeJsonToMessage, writeK8sEnvelope } from '../../src/machinery/schema/index.js';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const NS = '/api/v1/namespaces/default';
const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const SUCCESS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

function protobufBody(typeName: string, obj: Record<string, unknown>): Buffer {
  const { apiVersion, kind, ...rest } = obj as { apiVersion: string; kind: string };
  const { message } = kubeJsonToMessage(typeName, rest);
  return Buffer.from(writeK8sEnvelope({ apiVersion, kind, raw: encodeWireMessage(typeName, message) }));
}

describe('pods/binding, pods/eviction, serviceaccounts/token and componentstatuses', () => {
  let ts: TestServer;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(ts.server, method, path, body, headers);
  const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);

  /** A pod that goes at once when deleted (grace 0), optionally bound, Running and Ready. */
  async function pod(name: string, labels: Record<string, string>, opts: { node?: string; phase?: string; ready?: boolean } = {}) {
    const created = await call('POST', `${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'nginx' }] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    if (opts.node) {
      const bound = await call('POST', `${NS}/pods/${name}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: opts.node } });
      assert.equal(bound.status, 201, JSON.stringify(bound.body));
    }
    if (opts.phase) {
      const conditions = opts.ready ? [{ type: 'Ready', status: 'True' }] : [];
      const r = await call('PATCH', `${NS}/pods/${name}/status`, { status: { phase: opts.phase, conditions } }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
  }

  async function budget(name: string, app: string, status: Record<string, unknown>) {
    const r = await call('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name },
      spec: { minAvailable: 1, selector: { matchLabels: { app } } },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const s = await call('PATCH', `/apis/policy/v1/namespaces/default/poddisruptionbudgets/${name}/status`, { status }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(s.status, 200, JSON.stringify(s.body));
  }

  const evict = (name: string, extra: Record<string, unknown> = {}, query = '') =>
    call('POST', `${NS}/pods/${name}/eviction${query}`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, ...extra });
  const gone = async (name: string) => (await call('GET', `${NS}/pods/${name}`)).status === 404;

  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts.stop();
  });

  describe('pods/binding', () => {
    it('binds a pod to a node once: nodeName, PodScheduled, annotations; a second binding is a Conflict', async () => {
      await pod('b1', {});
      const r = await call('POST', `${NS}/pods/b1/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'b1', annotations: { 'scheduler.example/score': '7' } },
        target: { kind: 'Node', name: 'node-a' },
      });
      assert.equal(r.status, 201);
      assert.deepEqual(r.body, SUCCESS);
      const p = (await call('GET', `${NS}/pods/b1`)).body;
      assert.equal(p.spec.nodeName, 'node-a');
      assert.equal(p.metadata.annotations['scheduler.example/score'], '7');
      const scheduled = p.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled');
      assert.equal(scheduled.status, 'True');
      assert.match(scheduled.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const again = await call('POST', `${NS}/pods/b1/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b1' }, target: { name: 'node-b' } });
      assert.equal(again.status, 409);
      assert.equal(again.body.reason, 'Conflict');
      assert.equal(again.body.message, 'Operation cannot be fulfilled on pods/binding "b1": pod b1 is already assigned to node "node-a"');
      assert.deepEqual(again.body.details, { name: 'b1', kind: 'pods/binding' });
    });

    it('validates the target as upstream (an unwrapped aggregate: 500) and checks the name', async () => {
      await pod('b2', {});
      const wrongKind = await call('POST', `${NS}/pods/b2/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b2' }, target: { kind: 'Pod', name: 'x' } });
      assert.equal(wrongKind.status, 500);
      assert.equal(wrongKind.body.message, 'Internal error occurred: target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"');
      const both = await call('POST', `${NS}/pods/b2/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b2' }, target: { kind: 'Pod' } });
      assert.equal(both.body.message, 'Internal error occurred: [target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>", target.name: Required value]');
      const mismatch = await call('POST', `${NS}/pods/b2/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'other' }, target: { name: 'n' } });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.message, 'name in URL does not match name in Binding object');
      const missing = await call('POST', `${NS}/pods/nope/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'nope' }, target: { name: 'n' } });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.message, 'pods "nope" not found');
      assert.equal((await call('GET', `${NS}/pods/b2`)).body.spec.nodeName, undefined);
    });

    it('honours the binding uid and resourceVersion as preconditions', async () => {
      await pod('b3', {});
      const stale = await call('POST', `${NS}/pods/b3/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b3', uid: 'not-the-uid' }, target: { name: 'n' } });
      assert.equal(stale.status, 409);
      assert.match(stale.body.message, /^Operation cannot be fulfilled on pods "b3": Precondition failed: UID in precondition: not-the-uid, UID in object meta: [0-9a-f-]+$/);
      const current = (await call('GET', `${NS}/pods/b3`)).body.metadata;
      const ok = await call('POST', `${NS}/pods/b3/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'b3', uid: current.uid, resourceVersion: current.resourceVersion },
        target: { name: 'n' },
      });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
    });

    it('takes a protobuf Binding and answers the Status in protobuf', async () => {
      await pod('b4', {});
      const body = protobufBody('k8s.io.api.core.v1.Binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b4' }, target: { kind: 'Node', name: 'node-pb' } });
      const res = await fetch(`${ts.server.url}${NS}/pods/b4/binding`, { method: 'POST', body, headers: { 'content-type': PROTOBUF, accept: PROTOBUF } });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('content-type'), PROTOBUF);
      assert.equal((await call('GET', `${NS}/pods/b4`)).body.spec.nodeName, 'node-pb');
    });

    it('binds through the namespace\'s create-only bindings resource too', async () => {
      await pod('b5', {});
      const r = await call('POST', `${NS}/bindings`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b5', annotations: { via: 'bindings' } }, target: { kind: 'Node', name: 'node-c' } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.body, SUCCESS);
      const p = (await call('GET', `${NS}/pods/b5`)).body;
      assert.equal(p.spec.nodeName, 'node-c');
      assert.equal(p.metadata.annotations.via, 'bindings');
      const again = await call('POST', `${NS}/bindings`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b5' }, target: { name: 'node-d' } });
      assert.equal(again.status, 409);
      assert.equal(again.body.message, 'Operation cannot be fulfilled on pods/binding "b5": pod b5 is already assigned to node "node-c"');
      const list = await call('GET', `${NS}/bindings`);
      assert.equal(list.status, 405);
      const core = (await call('GET', '/api/v1')).body.resources as { name: string }[];
      assert.deepEqual(core.find((x) => x.name === 'bindings'), { name: 'bindings', singularName: 'binding', namespaced: true, kind: 'Binding', verbs: ['create'] });
    });

    it('is listed in discovery as upstream: create only, kind Binding', async () => {
      const core = (await call('GET', '/api/v1')).body.resources as { name: string }[];
      assert.deepEqual(core.find((r) => r.name === 'pods/binding'), { name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] });
      assert.deepEqual(core.find((r) => r.name === 'pods/eviction'), {
        name: 'pods/eviction',
        singularName: '',
        namespaced: true,
        group: 'policy',
        version: 'v1',
        kind: 'Eviction',
        verbs: ['create'],
      });
    });
  });

  describe('pods/eviction', () => {
    it('evicts within the budget, counts the disruption, then refuses with 429 and the DisruptionBudget cause', async () => {
      await pod('g1', { app: 'guarded' }, { node: 'node-e', phase: 'Running', ready: true });
      await pod('g2', { app: 'guarded' }, { node: 'node-e', phase: 'Running', ready: true });
      await budget('guard', 'guarded', { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 });

      const first = await evict('g1');
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual(first.body, SUCCESS);
      assert.ok(await gone('g1'));
      const status = (await call('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/guard')).body.status;
      assert.equal(status.disruptionsAllowed, 0);
      assert.deepEqual(Object.keys(status.disruptedPods), ['g1']);
      const allowed = status.conditions.find((c: { type: string }) => c.type === 'DisruptionAllowed');
      assert.deepEqual({ ...allowed, lastTransitionTime: undefined }, { type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, reason: 'InsufficientPods', message: '', lastTransitionTime: undefined });

      const second = await evict('g2');
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('retry-after'), null);
      assert.deepEqual(second.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
        reason: 'TooManyRequests',
        details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guard needs 1 healthy pods and has 2 currently' }] },
        code: 429,
      });
      assert.ok(!(await gone('g2')));
    });

    it('evicts terminal and pending pods whatever the budget says', async () => {
      await pod('t1', { app: 'guarded' }, { node: 'node-e', phase: 'Succeeded' });
      assert.equal((await evict('t1')).status, 201);
      assert.ok(await gone('t1'));
      await pod('t2', { app: 'guarded' });
      assert.equal((await evict('t2')).status, 201);
      assert.ok(await gone('t2'));
    });

    it('answers a budget the controller has not observed yet with 429 and a retry hint', async () => {
      await pod('u1', { app: 'unobserved' }, { node: 'node-e', phase: 'Running', ready: true });
      await budget('unobserved', 'unobserved', { observedGeneration: 0, disruptionsAllowed: 5 });
      const r = await evict('u1');
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '10');
      assert.deepEqual(r.body.details, {
        retryAfterSeconds: 10,
        causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget unobserved is still being processed by the server.' }],
      });
    });

    it('does not support a pod with more than one budget', async () => {
      await pod('m1', { app: 'multi' }, { node: 'node-e', phase: 'Running', ready: true });
      await budget('multi-a', 'multi', { observedGeneration: 1, disruptionsAllowed: 1 });
      await budget('multi-b', 'multi', { observedGeneration: 1, disruptionsAllowed: 1 });
      const r = await evict('m1');
      assert.equal(r.status, 201);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
        code: 500,
      });
      assert.ok(!(await gone('m1')));
    });

    it('rehearses with dryRun, passes delete options through, and checks the name', async () => {
      await pod('d1', { app: 'dry' }, { node: 'node-e', phase: 'Running', ready: true });
      await budget('dry', 'dry', { observedGeneration: 1, disruptionsAllowed: 1 });
      assert.equal((await evict('d1', {}, '?dryRun=All')).status, 201);
      assert.ok(!(await gone('d1')));
      assert.equal((await call('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/dry')).body.status.disruptionsAllowed, 1);

      const pinned = await evict('d1', { deleteOptions: { preconditions: { uid: 'other-uid' } } });
      assert.equal(pinned.status, 409);
      assert.match(pinned.body.message, /^Operation cannot be fulfilled on Pod "d1": the UID in the precondition \(other-uid\) does not match the UID in record \([0-9a-f-]+\)\. The object might have been deleted and then recreated$/);

      const mismatch = await evict('d1', { metadata: { name: 'other' } });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.message, 'name in URL does not match name in Eviction object');
    });

    it('accepts policy/v1beta1 and protobuf Evictions', async () => {
      await pod('v1', { app: 'free' }, { node: 'node-e', phase: 'Running', ready: true });
      const beta = await call('POST', `${NS}/pods/v1/eviction`, { apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'v1' } });
      assert.equal(beta.status, 201, JSON.stringify(beta.body));
      assert.ok(await gone('v1'));
      await pod('v2', { app: 'free' }, { node: 'node-e', phase: 'Running', ready: true });
      const body = protobufBody('k8s.io.api.policy.v1.Eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'v2' }, deleteOptions: { gracePeriodSeconds: 0 } });
      const res = await fetch(`${ts.server.url}${NS}/pods/v2/eviction`, { method: 'POST', body, headers: { 'content-type': PROTOBUF, accept: 'application/json' } });
      assert.equal(res.status, 201, await res.clone().text());
      assert.ok(await gone('v2'));
    });

    it('drains a node with kubectl drain', async () => {
      const node = await k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' } }));
      assert.equal(node.code, 0, node.stderr);
      await pod('w1', { app: 'drained' }, { node: 'worker-1', phase: 'Running', ready: true });
      await pod('w2', { app: 'drained' }, { node: 'worker-1', phase: 'Running', ready: true });
      const r = await k(['drain', 'worker-1', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=60s']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /node\/worker-1 cordoned/);
      assert.match(r.stdout, /pod\/w1 evicted/);
      assert.match(r.stdout, /pod\/w2 evicted/);
      assert.match(r.stdout, /node\/worker-1 drained/);
      assert.ok((await gone('w1')) && (await gone('w2')));
      assert.equal((await call('GET', '/api/v1/nodes/worker-1')).body.spec.unschedulable, true);
    });
  });

  describe('serviceaccounts/token', () => {
    const tokenPath = `${NS}/serviceaccounts/robot/token`;
    const request = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
      call('POST', tokenPath, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata, spec });
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));

    before(async () => {
      assert.equal((await call('POST', `${NS}/serviceaccounts`, { metadata: { name: 'robot' } })).status, 201);
    });

    it('issues a token with upstream defaults: an hour, the server audience, the account claims', async () => {
      const r = await request({});
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.kind, 'TokenRequest');
      assert.equal(r.body.apiVersion, 'authentication.k8s.io/v1');
      assert.equal(r.body.metadata.name, 'robot');
      assert.equal(r.body.metadata.namespace, 'default');
      assert.deepEqual(r.body.spec, { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600, boundObjectRef: null });
      const created = Date.parse(r.body.metadata.creationTimestamp);
      assert.equal(Date.parse(r.body.status.expirationTimestamp) - created, 3600 * 1000);
      const [head, , signature] = r.body.status.token.split('.');
      assert.equal(JSON.parse(Buffer.from(head, 'base64url').toString('utf8')).alg, 'ES256');
      assert.equal(Buffer.from(signature, 'base64url').length, 64);
      const c = claims(r.body.status.token);
      const sa = (await call('GET', `${NS}/serviceaccounts/robot`)).body;
      assert.equal(c.sub, 'system:serviceaccount:default:robot');
      assert.equal(c.iss, 'https://kubernetes.default.svc.cluster.local');
      assert.deepEqual(c.aud, ['https://kubernetes.default.svc.cluster.local']);
      assert.equal(c.exp - c.iat, 3600);
      assert.deepEqual(c['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid: sa.metadata.uid } });
    });

    it('validates the duration, the names and the bound object as upstream', async () => {
      const short = await request({ expirationSeconds: 599 });
      assert.equal(short.status, 422);
      assert.equal(short.body.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
      const long = await request({ expirationSeconds: 2 ** 32 + 1 });
      assert.equal(long.body.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds');
      const name = await request({}, { name: 'someone-else' });
      assert.equal(name.status, 422);
      assert.equal(name.body.message, 'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: Invalid value: "someone-else": must match the service account name if specified');
      const kind = await request({ boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } });
      assert.equal(kind.status, 400);
      assert.equal(kind.body.message, 'cannot bind token to object of type /v1, Kind=ConfigMap');
      const absent = await request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'no-such-pod' } });
      assert.equal(absent.status, 404);
      assert.equal(absent.body.message, 'pods "no-such-pod" not found');
      const missingAccount = await call('POST', `${NS}/serviceaccounts/ghost/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
      assert.equal(missingAccount.status, 404);
      assert.equal(missingAccount.body.message, 'serviceaccounts "ghost" not found');
    });

    it('binds a token to a pod of the account, a secret or a node, with their uids', async () => {
      await call('POST', `${NS}/pods`, { metadata: { name: 'robot-pod' }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'nginx' }] } });
      await call('POST', `${NS}/pods`, { metadata: { name: 'other-pod' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
      const podUid = (await call('GET', `${NS}/pods/robot-pod`)).body.metadata.uid;
      const ok = await request({ audiences: ['vault'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'robot-pod', uid: podUid } });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.spec, { audiences: ['vault'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'robot-pod', uid: podUid } });
      const c = claims(ok.body.status.token);
      assert.deepEqual(c.aud, ['vault']);
      assert.deepEqual(c['kubernetes.io'].pod, { name: 'robot-pod', uid: podUid });

      const wrongSa = await request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'other-pod' } });
      assert.equal(wrongSa.status, 400);
      assert.equal(wrongSa.body.message, 'cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.');
      const wrongUid = await request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'robot-pod', uid: 'stale' } });
      assert.equal(wrongUid.status, 409);
      assert.equal(
        wrongUid.body.message,
        'Operation cannot be fulfilled on Pod "robot-pod": the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated',
      );
      await call('POST', `${NS}/secrets`, { metadata: { name: 'robot-secret' } });
      const secret = await request({ boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'robot-secret' } });
      assert.equal(secret.status, 201);
      assert.equal(claims(secret.body.status.token)['kubernetes.io'].secret.name, 'robot-secret');
    });

    it('answers in protobuf when asked', async () => {
      const body = protobufBody('k8s.io.api.authentication.v1.TokenRequest', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 1200 } });
      const res = await fetch(`${ts.server.url}${tokenPath}`, { method: 'POST', body, headers: { 'content-type': PROTOBUF, accept: PROTOBUF } });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('content-type'), PROTOBUF);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.ok(bytes.subarray(0, 4).equals(Buffer.from('k8s\0', 'latin1')));
      assert.ok(bytes.includes(Buffer.from('TokenRequest')));
    });

    it('works with kubectl create token', async () => {
      const r = await k(['create', 'token', 'robot', '--audience=api', '--duration=20m']);
      assert.equal(r.code, 0, r.stderr);
      const c = claims(r.stdout.trim());
      assert.deepEqual(c.aud, ['api']);
      assert.equal(c.exp - c.iat, 1200);
      const bad = await k(['create', 'token', 'robot', '--duration=1m']);
      assert.notEqual(bad.code, 0);
      assert.equal(
        bad.stderr.trim(),
        'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
      );
    });
  });

  describe('componentstatuses', () => {
    it('answers for the store, read-only, with upstream columns', async () => {
      const list = await call('GET', '/api/v1/componentstatuses');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body, {
        kind: 'ComponentStatusList',
        apiVersion: 'v1',
        metadata: {},
        items: [{ metadata: { name: 'storage' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] }],
      });
      const one = await call('GET', '/api/v1/componentstatuses/storage');
      assert.deepEqual(one.body, { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'storage' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] });
      const unknown = await call('GET', '/api/v1/componentstatuses/scheduler');
      assert.equal(unknown.status, 500);
      assert.equal(unknown.body.message, 'Internal error occurred: Component not found: scheduler');
      const create = await call('POST', '/api/v1/componentstatuses', { apiVersion: 'v1', kind: 'ComponentStatus', metadata: { name: 'x' } });
      assert.equal(create.status, 405);

      const r = await k(['get', 'cs']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split('\n').map((l) => l.trimEnd()), ['NAME      STATUS    MESSAGE   ERROR', 'storage   Healthy   ok', '']);
      const core = (await call('GET', '/api/v1')).body.resources as { name: string }[];
      assert.deepEqual(core.find((x) => x.name === 'componentstatuses'), {
        name: 'componentstatuses',
        singularName: 'componentstatus',
        namespaced: false,
        kind: 'ComponentStatus',
        verbs: ['get', 'list'],
        shortNames: ['cs'],
      });
    });
  });
});
