/**
 * The action subresources over gRPC, with the generated clients: `PodService.CreateBinding`
 * (pods/NAME/binding), `BindingService.Create` (the namespace's bindings),
 * `PodService.CreateEviction` (pods/NAME/eviction) and `ServiceAccountService.CreateToken`
 * (serviceaccounts/NAME/token). Each runs the pipeline call the HTTP route makes, so the
 * objects written are read back over HTTP, and the Status of every answer — success or
 * error — is the one HTTP gives for the same request.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Status as StatusMessage } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { TokenRequest } from '../../gen/k8s/io/api/authentication/v1/generated.js';
import { RESOURCES } from '../../gen/resources.js';
import { BindingServiceClient, PodServiceClient, ServiceAccountServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { statusFromMessage } from '../../src/transports/grpc/status-details.js';
import { grpcFailure, toJson, toMessage, unary } from '../parity/grpc-helpers.js';
import { api, grpcCredentials, startTestServer, type TestServer, bufCurlTarget } from '../helpers/server.js';

const NS = 'grpc-actions';
const PODS = `/api/v1/namespaces/${NS}/pods`;
const BINDING = 'k8s.io.api.core.v1.Binding';
const EVICTION = 'k8s.io.api.policy.v1.Eviction';
const TOKEN_REQUEST = 'k8s.io.api.authentication.v1.TokenRequest';
/** What upstream's create handler answers for a bare success (binding, eviction): a Status, code 201. */
const SUCCESS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
const run = promisify(execFile);
const BUF = join(process.cwd(), 'node_modules/.bin/buf');
const REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

describe('action subresources over gRPC', () => {
  let ts: TestServer;
  let pods: InstanceType<typeof PodServiceClient>;
  let bindings: InstanceType<typeof BindingServiceClient>;
  let accounts: InstanceType<typeof ServiceAccountServiceClient>;
  const http = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(ts.server, method, path, body, headers);

  /** A pod that goes at once when deleted; optionally Running and Ready. */
  async function pod(name: string, labels: Record<string, string> = {}, running = false): Promise<void> {
    const r = await http('POST', PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'nginx' }] },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    if (running) {
      const s = await http('PATCH', `${PODS}/${name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, {
        'content-type': 'application/merge-patch+json',
      });
      assert.equal(s.status, 200, JSON.stringify(s.body));
    }
  }

  const bind = (name: string, node: string) =>
    unary<StatusMessage>((cb) => pods.createBinding({ namespace: NS, object: toMessage(BINDING, { metadata: { name }, target: { kind: 'Node', name: node } }) }, cb));
  const evict = (name: string) => unary<StatusMessage>((cb) => pods.createEviction({ namespace: NS, object: toMessage(EVICTION, { metadata: { name } }) }, cb));
  const httpBind = (name: string, node: string) => http('POST', `${PODS}/${name}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } });
  const httpEvict = (name: string) => http('POST', `${PODS}/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name } });

  before(async () => {
    ts = await startTestServer();
    const address = ts.server.grpcAddress;
    pods = new PodServiceClient(address, grpcCredentials(ts.server));
    bindings = new BindingServiceClient(address, grpcCredentials(ts.server));
    accounts = new ServiceAccountServiceClient(address, grpcCredentials(ts.server));
    const r = await http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  after(async () => {
    for (const c of [pods, bindings, accounts]) c.close();
    await ts.stop();
  });

  it('has a Create<Action> method for each declared action, and no other', () => {
    const methods = (resource: string) => {
      const facts = RESOURCES.find((r) => r.group === '' && r.resource === resource);
      return Object.keys(facts?.versions[0]?.service.definition ?? {}).filter((m) => m.startsWith('create'));
    };
    assert.deepEqual(methods('pods'), ['create', 'createBinding', 'createEviction']);
    assert.deepEqual(methods('serviceaccounts'), ['create', 'createToken']);
    assert.deepEqual(methods('bindings'), ['create']);
    assert.deepEqual(methods('services'), ['create']);
  });

  describe('pods/binding', () => {
    it('binds a pod to a node; HTTP reads spec.nodeName back; the answer is HTTP\'s Status', async () => {
      await pod('bind-grpc');
      await pod('bind-http');
      const reply = await bind('bind-grpc', 'node-a');
      assert.deepEqual(statusFromMessage(reply), SUCCESS);
      const viaHttp = await httpBind('bind-http', 'node-a');
      assert.equal(viaHttp.status, 201);
      assert.deepEqual(statusFromMessage(reply), viaHttp.body);

      const read = await http('GET', `${PODS}/bind-grpc`);
      assert.equal(read.body.spec.nodeName, 'node-a');
      assert.equal(read.body.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled').status, 'True');
    });

    it('is callable by a client that knows it only from reflection (buf curl)', async () => {
      await pod('curl');
      const { stdout } = await run(BUF, [
        'curl',
        '--protocol',
        'grpc',
        ...bufCurlTarget(ts.server).flags,
        '-d',
        JSON.stringify({ namespace: NS, name: 'curl', object: { metadata: { name: 'curl' }, target: { kind: 'Node', name: 'node-r' } } }),
        `${bufCurlTarget(ts.server).base}/wheelhouse.core.v1.PodService/CreateBinding`,
      ]);
      assert.deepEqual(JSON.parse(stdout), { metadata: {}, status: 'Success', code: 201 });
      assert.equal((await http('GET', `${PODS}/curl`)).body.spec.nodeName, 'node-r');
    });

    it('refuses a bound pod with upstream\'s Conflict, the same Status as HTTP', async () => {
      await pod('bound');
      await bind('bound', 'node-a');
      const failure = await grpcFailure(() => bind('bound', 'node-b'));
      const message = 'Operation cannot be fulfilled on pods/binding "bound": pod bound is already assigned to node "node-a"';
      assert.equal(failure.grpcCode, GrpcStatus.ABORTED);
      assert.equal(failure.details, message);
      assert.deepEqual(failure.status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason: 'Conflict',
        details: { name: 'bound', kind: 'pods/binding' },
        code: 409,
      });
      const viaHttp = await httpBind('bound', 'node-b');
      assert.equal(viaHttp.status, 409);
      assert.deepEqual(failure.status, viaHttp.body);
    });

    it('answers NotFound for an unknown pod, as HTTP', async () => {
      const failure = await grpcFailure(() => bind('ghost', 'node-a'));
      assert.equal(failure.grpcCode, GrpcStatus.NOT_FOUND);
      assert.equal(failure.details, 'pods "ghost" not found');
      assert.deepEqual(failure.status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pods "ghost" not found',
        reason: 'NotFound',
        details: { name: 'ghost', kind: 'pods' },
        code: 404,
      });
      const viaHttp = await httpBind('ghost', 'node-a');
      assert.equal(viaHttp.status, 404);
      assert.deepEqual(failure.status, viaHttp.body);
    });

    it('takes the name from the request over the body, and checks they agree as upstream', async () => {
      await pod('named');
      const failure = await grpcFailure(() =>
        unary((cb) => pods.createBinding({ namespace: NS, name: 'named', object: toMessage(BINDING, { metadata: { name: 'other' }, target: { name: 'n' } }) }, cb)),
      );
      assert.equal(failure.grpcCode, GrpcStatus.INVALID_ARGUMENT);
      assert.equal(failure.details, 'name in URL does not match name in Binding object');
      assert.equal(failure.status.code, 400);
    });

    it('binds through the namespace\'s bindings resource, answering a Status', async () => {
      await pod('legacy');
      const reply = await unary<StatusMessage>((cb) =>
        bindings.create({ namespace: NS, object: toMessage(BINDING, { metadata: { name: 'legacy' }, target: { kind: 'Node', name: 'node-c' } }) }, cb),
      );
      assert.deepEqual(statusFromMessage(reply), SUCCESS);
      assert.equal((await http('GET', `${PODS}/legacy`)).body.spec.nodeName, 'node-c');
      const failure = await grpcFailure(() => unary((cb) => bindings.create({ namespace: NS, object: toMessage(BINDING, { metadata: { name: 'legacy' }, target: { name: 'node-d' } }) }, cb)));
      assert.equal(failure.grpcCode, GrpcStatus.ABORTED);
      const viaHttp = await http('POST', `/api/v1/namespaces/${NS}/bindings`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'legacy' }, target: { name: 'node-d' } });
      assert.equal(viaHttp.status, 409);
      assert.equal(viaHttp.body.message, 'Operation cannot be fulfilled on pods/binding "legacy": pod legacy is already assigned to node "node-c"');
      assert.deepEqual(failure.status, viaHttp.body);
    });
  });

  describe('pods/eviction', () => {
    it('evicts an unprotected pod: a Success Status, the pod gone', async () => {
      await pod('evict-me', { app: 'free' }, true);
      const reply = await evict('evict-me');
      assert.deepEqual(statusFromMessage(reply), SUCCESS);
      assert.equal((await http('GET', `${PODS}/evict-me`)).status, 404);
      await pod('evict-http', { app: 'free' }, true);
      const viaHttp = await httpEvict('evict-http');
      assert.equal(viaHttp.status, 201);
      assert.deepEqual(statusFromMessage(reply), viaHttp.body);
    });

    it('refuses a pod a PodDisruptionBudget protects: RESOURCE_EXHAUSTED carrying the 429 Status with the DisruptionBudget cause', async () => {
      await pod('guarded', { app: 'guarded' }, true);
      const pdbs = `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`;
      const created = await http('POST', pdbs, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const status = { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 };
      const s = await http('PATCH', `${pdbs}/guard/status`, { status }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(s.status, 200, JSON.stringify(s.body));

      const failure = await grpcFailure(() => evict('guarded'));
      assert.equal(failure.grpcCode, GrpcStatus.RESOURCE_EXHAUSTED);
      assert.equal(failure.details, REFUSED);
      assert.deepEqual(failure.status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: REFUSED,
        reason: 'TooManyRequests',
        details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget guard needs 1 healthy pods and has 1 currently' }] },
        code: 429,
      });
      const viaHttp = await httpEvict('guarded');
      assert.equal(viaHttp.status, 429);
      assert.deepEqual(failure.status, viaHttp.body);
      assert.equal((await http('GET', `${PODS}/guarded`)).status, 200);
    });

    it('answers NotFound for an unknown pod, as HTTP', async () => {
      const failure = await grpcFailure(() => evict('ghost'));
      assert.equal(failure.grpcCode, GrpcStatus.NOT_FOUND);
      assert.equal(failure.details, 'pods "ghost" not found');
      const viaHttp = await httpEvict('ghost');
      assert.equal(viaHttp.status, 404);
      assert.deepEqual(failure.status, viaHttp.body);
    });

    it('passes CreateOptions through: a dryRun eviction leaves the pod', async () => {
      await pod('dry', {}, true);
      const reply = await unary<StatusMessage>((cb) => pods.createEviction({ namespace: NS, object: toMessage(EVICTION, { metadata: { name: 'dry' } }), options: { dryRun: ['All'] } }, cb));
      assert.deepEqual(statusFromMessage(reply), SUCCESS);
      assert.equal((await http('GET', `${PODS}/dry`)).status, 200);
    });

    it('takes a policy/v1beta1 Eviction as raw JSON, decoded as an HTTP body', async () => {
      await pod('beta', {}, true);
      const raw = Buffer.from(JSON.stringify({ apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'beta' } }));
      const reply = await unary<StatusMessage>((cb) => pods.createEviction({ namespace: NS, name: 'beta', raw, contentType: 'application/json' }, cb));
      assert.deepEqual(statusFromMessage(reply), SUCCESS);
      assert.equal((await http('GET', `${PODS}/beta`)).status, 404);
    });
  });

  describe('serviceaccounts/token', () => {
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
    const requestToken = (name: string, spec: Record<string, unknown>) =>
      unary<TokenRequest>((cb) => accounts.createToken({ namespace: NS, name, object: toMessage(TOKEN_REQUEST, { spec }) }, cb));

    it('issues a TokenRequest whose status.token is a JWT naming the service account', async () => {
      const sa = await http('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
      assert.equal(sa.status, 201, JSON.stringify(sa.body));
      const before = Math.floor(Date.now() / 1000);
      const reply = toJson(TOKEN_REQUEST, await requestToken('robot', { audiences: ['api'], expirationSeconds: 1200 }));
      const { token, expirationTimestamp } = reply.status as { token: string; expirationTimestamp: string };
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.equal(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8')).alg, 'ES256');
      const c = claims(token);
      assert.equal(c.sub, `system:serviceaccount:${NS}:robot`);
      assert.deepEqual(c['kubernetes.io'], { namespace: NS, serviceaccount: { name: 'robot', uid: sa.body.metadata.uid } });
      assert.deepEqual(c.aud, ['api']);
      assert.equal(c.exp - c.iat, 1200);
      assert.ok(c.iat >= before - 1);
      assert.match(expirationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(Date.parse(expirationTimestamp) / 1000, c.exp);
      assert.deepEqual(reply.spec, { audiences: ['api'], expirationSeconds: 1200 });
      assert.deepEqual({ name: (reply.metadata as { name: string }).name, namespace: (reply.metadata as { namespace: string }).namespace }, { name: 'robot', namespace: NS });

      // The same request over HTTP answers the same object, but for the token and times.
      const viaHttp = await http('POST', `/api/v1/namespaces/${NS}/serviceaccounts/robot/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: ['api'], expirationSeconds: 1200 },
      });
      assert.equal(viaHttp.status, 201);
      const { apiVersion, kind, ...httpObject } = viaHttp.body;
      assert.deepEqual([apiVersion, kind], ['authentication.k8s.io/v1', 'TokenRequest']);
      const timeless = (o: Record<string, any>) => ({ ...o, metadata: { ...o.metadata, creationTimestamp: 'T' }, status: { token: 'T', expirationTimestamp: 'T' } });
      // JSON writes the unset pointer as upstream does (no omitempty: `null`); protobuf has no null, the field is absent.
      assert.equal(httpObject.spec.boundObjectRef, null);
      const { boundObjectRef: _unset, ...httpSpec } = httpObject.spec;
      assert.deepEqual(timeless(reply), timeless({ ...httpObject, spec: httpSpec }));
    });

    it('refuses as HTTP does: an unknown account is NotFound, a short duration Invalid', async () => {
      const missing = await grpcFailure(() => requestToken('ghost', {}));
      assert.equal(missing.grpcCode, GrpcStatus.NOT_FOUND);
      assert.equal(missing.details, 'serviceaccounts "ghost" not found');
      const missingHttp = await http('POST', `/api/v1/namespaces/${NS}/serviceaccounts/ghost/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
      assert.equal(missingHttp.status, 404);
      assert.deepEqual(missing.status, missingHttp.body);

      const short = await grpcFailure(() => requestToken('robot', { expirationSeconds: 599 }));
      const message = 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes';
      assert.equal(short.grpcCode, GrpcStatus.INVALID_ARGUMENT);
      assert.equal(short.details, message);
      const shortHttp = await http('POST', `/api/v1/namespaces/${NS}/serviceaccounts/robot/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 599 } });
      assert.equal(shortHttp.status, 422);
      assert.equal(shortHttp.body.message, message);
      assert.deepEqual(short.status, shortHttp.body);
    });
  });
});
