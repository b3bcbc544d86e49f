/**
 * Admission webhooks against a real HTTPS webhook server in the test (its CA and serving
 * certificate made with the server's own PKI helpers): a validating webhook refusing labelled
 * ConfigMaps with its message over HTTP and gRPC, a mutating one adding a label by JSON patch,
 * the AdmissionReview it is sent, a webhook reached through a Service's endpoints, the
 * Equivalent match policy converting to the rule's version, reinvocation, match conditions,
 * and the failure policies with the webhook down.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { ConfigMap } from '../../gen/k8s/io/api/core/v1/config.js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { createCertificateAuthority, issueCertificate } from '../../src/server/pki/certificates.js';
import { grpcFailure, toMessage, unary } from '../parity/grpc-helpers.js';
import { api, grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { eventually } from '../helpers/eventually.js';

type Json = Record<string, any>;

/** What the webhook server was sent, by path. */
const received = new Map<string, Json[]>();

/** The answers: each path maps the review's request to a response (uid added here). */
const handlers: Record<string, (req: Json) => Json> = {
  '/validate': (req) =>
    req.object?.metadata?.labels?.deny === 'true' ? { allowed: false, status: { code: 403, message: 'ConfigMaps labelled deny=true are not allowed' } } : { allowed: true },
  '/validate-reason': () => ({ allowed: false, status: { code: 409, reason: 'Conflict', message: 'no' } }),
  '/mutate': (req) => {
    const labels = req.object?.metadata?.labels;
    const patch: Json[] = labels ? [{ op: 'add', path: '/metadata/labels/mutated', value: 'yes' }] : [{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }];
    if (labels?.bogus === 'add') patch.push({ op: 'add', path: '/bogus', value: 1 }, { op: 'add', path: '/metadata/labels/typed', value: 'yes' });
    return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64'), warnings: ['mutated it'] };
  },
  // Counts its calls in a label; reinvoked when a later webhook changes the object.
  '/count': (req) => {
    const n = Number(req.object?.metadata?.annotations?.count ?? '0') + 1;
    const op = req.object?.metadata?.annotations ? { op: 'add', path: '/metadata/annotations/count', value: String(n) } : { op: 'add', path: '/metadata/annotations', value: { count: String(n) } };
    return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify([op])).toString('base64') };
  },
  '/protect': (req) =>
    req.operation === 'DELETE' && req.oldObject?.metadata?.labels?.protect === 'true'
      ? { allowed: false, status: { code: 403, message: `${req.name} is protected (${req.options?.kind ?? 'no options'})` } }
      : { allowed: true },
  '/scale': (req) => (req.object?.spec?.replicas > 3 ? { allowed: false, status: { code: 422, reason: 'Invalid', message: `scale of ${req.name} to ${req.object.spec.replicas} refused` } } : { allowed: true }),
  '/hpa': (req) => (req.object?.spec?.targetCPUUtilizationPercentage === 99 ? { allowed: false, status: { message: `seen as ${req.kind.version}` } } : { allowed: true }),
};

function startWebhookServer(cert: { certPem: string; keyPem: string }): Promise<Server> {
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://x');
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
      const list = received.get(url.pathname) ?? [];
      list.push({ ...review, query: url.search });
      received.set(url.pathname, list);
      if (url.pathname === '/hang') return; // never answers: the caller's timeout decides
      const handler = handlers[url.pathname];
      const response = handler ? { uid: review.request.uid, ...handler(review.request) } : { uid: review.request.uid, allowed: true };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const configMap = (name: string, labels?: Record<string, string>): Json => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data: { a: 'b' } });

describe('admission webhooks', () => {
  let ts: TestServer;
  let hooks: Server;
  let caBundle: string;
  let base: string;

  const webhookConfig = (kind: 'Validating' | 'Mutating', name: string, webhooks: Json[]): Json => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: webhooks.map((w) => ({ sideEffects: 'None', admissionReviewVersions: ['v1'], ...w })),
  });
  const create = async (kind: 'Validating' | 'Mutating', cfg: Json): Promise<void> => {
    const res = await api(ts.server, 'POST', `/apis/admissionregistration.k8s.io/v1/${kind.toLowerCase()}webhookconfigurations`, cfg);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  };
  const remove = async (kind: 'Validating' | 'Mutating', name: string): Promise<void> => {
    const res = await api(ts.server, 'DELETE', `/apis/admissionregistration.k8s.io/v1/${kind.toLowerCase()}webhookconfigurations/${name}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  const rule = (resources: string[], extra: Json = {}): Json => ({ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources, ...extra });

  before(async () => {
    const ca = await createCertificateAuthority('webhook-ca', 1);
    const serving = await issueCertificate(ca, { commonName: 'webhook', dnsNames: ['localhost', 'webhook.default.svc'], ipAddresses: ['127.0.0.1'], usage: 'serverAuth', validDays: 1 });
    caBundle = Buffer.from(ca.certPem).toString('base64');
    hooks = await startWebhookServer(serving);
    base = `https://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    ts = await startTestServer();
  });

  after(async () => {
    await ts?.stop();
    hooks?.closeAllConnections();
    await new Promise<void>((r) => (hooks ? hooks.close(() => r()) : r()));
  });

  it('a validating webhook refuses a labelled ConfigMap with its message and code, over HTTP and gRPC', async () => {
    await create('Validating', webhookConfig('Validating', 'deny-labelled', [
      { name: 'deny.example.com', clientConfig: { url: `${base}/validate`, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { deny: 'true' } } },
    ]));
    let refused: { status: number; body: any } | undefined;
    let n = 0;
    await eventually('the webhook to refuse', async () => {
      refused = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`denied-${n++}`, { deny: 'true' }));
      return refused.status !== 201;
    });
    assert.equal(refused!.status, 403);
    assert.deepEqual(refused!.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'admission webhook "deny.example.com" denied the request: ConfigMaps labelled deny=true are not allowed',
      code: 403,
    });
    // Not stored; an unlabelled one is neither sent to the webhook nor refused.
    assert.equal((await api(ts.server, 'GET', `/api/v1/namespaces/default/configmaps/denied-${n - 1}`)).status, 404);
    const calls = received.get('/validate')!.length;
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap('plain'))).status, 201);
    assert.equal(received.get('/validate')!.length, calls);

    // The AdmissionReview the webhook was sent.
    const review = received.get('/validate')!.at(-1)!;
    assert.equal(review.query, '?timeout=10s');
    assert.equal(review.apiVersion, 'admission.k8s.io/v1');
    assert.equal(review.kind, 'AdmissionReview');
    const r = review.request;
    assert.match(r.uid, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { kind: r.kind, resource: r.resource, requestKind: r.requestKind, requestResource: r.requestResource, name: r.name, namespace: r.namespace, operation: r.operation, dryRun: r.dryRun, oldObject: r.oldObject },
      {
        kind: { group: '', version: 'v1', kind: 'ConfigMap' },
        resource: { group: '', version: 'v1', resource: 'configmaps' },
        requestKind: { group: '', version: 'v1', kind: 'ConfigMap' },
        requestResource: { group: '', version: 'v1', resource: 'configmaps' },
        name: `denied-${n - 1}`,
        namespace: 'default',
        operation: 'CREATE',
        dryRun: false,
        oldObject: null,
      },
    );
    assert.equal(r.userInfo.username, 'system:anonymous');
    assert.deepEqual(r.object.metadata.labels, { deny: 'true' });
    assert.deepEqual(r.object.data, { a: 'b' });

    // Over gRPC: the same Status, PERMISSION_DENIED from its 403.
    const client = new ConfigMapServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      const object = toMessage<ConfigMap>('k8s.io.api.core.v1.ConfigMap', configMap('denied-grpc', { deny: 'true' }));
      const failure = await grpcFailure(() => unary((cb) => client.create({ namespace: 'default', object }, new Metadata(), cb)));
      assert.equal(failure.grpcCode, GrpcStatus.PERMISSION_DENIED);
      assert.deepEqual([failure.status.code, failure.status.message], [403, 'admission webhook "deny.example.com" denied the request: ConfigMaps labelled deny=true are not allowed']);
      const ok = toMessage<ConfigMap>('k8s.io.api.core.v1.ConfigMap', configMap('allowed-grpc'));
      await unary((cb) => client.create({ namespace: 'default', object: ok }, new Metadata(), cb));
    } finally {
      client.close();
    }
    await remove('Validating', 'deny-labelled');
  });

  it("a refusal keeps the webhook's reason and code", async () => {
    await create('Validating', webhookConfig('Validating', 'conflicting', [
      { name: 'conflict.example.com', clientConfig: { url: `${base}/validate-reason`, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { conflict: 'yes' } } },
    ]));
    let res: { status: number; body: any } | undefined;
    let n = 0;
    await eventually('the webhook to refuse', async () => {
      res = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`conflict-${n++}`, { conflict: 'yes' }));
      return res.status !== 201;
    });
    assert.deepEqual([res!.status, res!.body.reason, res!.body.message], [409, 'Conflict', 'admission webhook "conflict.example.com" denied the request: no']);
    await remove('Validating', 'conflicting');
  });

  it('a mutating webhook adds a label by JSON patch: the stored object has it', async () => {
    await create('Mutating', webhookConfig('Mutating', 'add-label', [
      { name: 'mutate.example.com', clientConfig: { url: `${base}/mutate`, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { mutate: 'me' } } },
    ]));
    let n = 0;
    let created: { status: number; body: any; headers: Headers } | undefined;
    await eventually('the webhook to mutate', async () => {
      created = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`mutated-${n++}`, { mutate: 'me' }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.metadata.labels.mutated === 'yes';
    });
    // The webhook's warning reaches the client.
    assert.equal(created!.headers.get('warning'), '299 - "mutated it"');
    const stored = await api(ts.server, 'GET', `/api/v1/namespaces/default/configmaps/mutated-${n - 1}`);
    assert.deepEqual(stored.body.metadata.labels, { mutate: 'me', mutated: 'yes' });
    // A dry run is sent as one (sideEffects None) and changes nothing stored.
    const dry = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', configMap('mutated-dry', { mutate: 'me' }));
    assert.equal(dry.status, 201);
    assert.deepEqual(dry.body.metadata.labels, { mutate: 'me', mutated: 'yes' });
    assert.equal(received.get('/mutate')!.at(-1)!.request.dryRun, true);
    assert.equal((await api(ts.server, 'GET', '/api/v1/namespaces/default/configmaps/mutated-dry')).status, 404);
    // A field the kind does not have is dropped, as upstream decodes the patched object.
    const bogus = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap('bogus', { mutate: 'me', bogus: 'add' }));
    assert.equal(bogus.status, 201, JSON.stringify(bogus.body));
    assert.deepEqual([bogus.body.metadata.labels.typed, 'bogus' in bogus.body], ['yes', false]);
    const storedBogus = await api(ts.server, 'GET', '/api/v1/namespaces/default/configmaps/bogus');
    assert.deepEqual([storedBogus.body.metadata.labels, 'bogus' in storedBogus.body], [{ mutate: 'me', bogus: 'add', mutated: 'yes', typed: 'yes' }, false]);
    await remove('Mutating', 'add-label');
  });

  it('IfNeeded webhooks are called again when a later webhook changed the object', async () => {
    await create('Mutating', webhookConfig('Mutating', 'a-count', [
      { name: 'count.example.com', clientConfig: { url: `${base}/count`, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { reinvoke: 'yes' } }, reinvocationPolicy: 'IfNeeded' },
    ]));
    await create('Mutating', webhookConfig('Mutating', 'b-label', [
      { name: 'mutate.example.com', clientConfig: { url: `${base}/mutate`, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { reinvoke: 'yes' } } },
    ]));
    let n = 0;
    let created: { status: number; body: any; headers: Headers } | undefined;
    await eventually('both webhooks to mutate', async () => {
      created = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`reinvoked-${n++}`, { reinvoke: 'yes' }));
      return created.status === 201 && created.body.metadata.labels.mutated === 'yes' && created.body.metadata.annotations?.count !== undefined;
    });
    // Called first, then once more after b-label changed the object.
    assert.equal(created!.body.metadata.annotations.count, '2');
    await remove('Mutating', 'a-count');
    await remove('Mutating', 'b-label');
  });

  it('a webhook is reached through its Service: an endpoint address, the certificate checked for NAME.NAMESPACE.svc', async () => {
    const port = (hooks.address() as AddressInfo).port;
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces/default/services', { metadata: { name: 'webhook' }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } })).status, 201);
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces/default/endpoints', { metadata: { name: 'webhook' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port }] }] })).status, 201);
    await create('Validating', webhookConfig('Validating', 'by-service', [
      { name: 'service.example.com', clientConfig: { service: { namespace: 'default', name: 'webhook', path: '/validate' }, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { deny: 'true' } } },
    ]));
    let res: { status: number; body: any } | undefined;
    let n = 0;
    await eventually('the webhook to refuse', async () => {
      res = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`by-service-${n++}`, { deny: 'true' }));
      return res.status !== 201;
    });
    assert.deepEqual([res!.status, res!.body.message], [403, 'admission webhook "service.example.com" denied the request: ConfigMaps labelled deny=true are not allowed']);
    await remove('Validating', 'by-service');
    // A Service without endpoints: the call fails, worded as upstream's resolver.
    await api(ts.server, 'POST', '/api/v1/namespaces/default/services', { metadata: { name: 'nowhere' }, spec: { ports: [{ port: 443 }] } });
    await create('Validating', webhookConfig('Validating', 'no-endpoints', [
      { name: 'nowhere.example.com', clientConfig: { service: { namespace: 'default', name: 'nowhere' }, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { deny: 'true' } } },
    ]));
    await eventually('the webhook to fail', async () => {
      res = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`nowhere-${n++}`, { deny: 'true' }));
      return res.status !== 201;
    });
    assert.deepEqual([res!.status, res!.body.reason, res!.body.message], [
      500,
      'InternalError',
      'Internal error occurred: failed calling webhook "nowhere.example.com": failed to call webhook: Post "https://nowhere.default.svc:443/?timeout=10s": endpoints "nowhere" not found',
    ]);
    await remove('Validating', 'no-endpoints');
  });

  it('matchPolicy Equivalent sends another version of the resource converted to the rule\'s version; Exact does not', async () => {
    await create('Validating', webhookConfig('Validating', 'hpa-v1', [
      {
        name: 'hpa.example.com',
        clientConfig: { url: `${base}/hpa`, caBundle },
        rules: [{ operations: ['CREATE'], apiGroups: ['autoscaling'], apiVersions: ['v1'], resources: ['horizontalpodautoscalers'] }],
        matchPolicy: 'Equivalent',
      },
    ]));
    const hpa = (name: string) => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 99 } } }] },
    });
    let res: { status: number; body: any } | undefined;
    let n = 0;
    await eventually('the webhook to refuse', async () => {
      res = await api(ts.server, 'POST', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', hpa(`hpa-${n++}`));
      return res.status !== 201;
    });
    assert.deepEqual([res!.status, res!.body.message], [400, 'admission webhook "hpa.example.com" denied the request: seen as v1']);
    const r = received.get('/hpa')!.at(-1)!.request;
    assert.deepEqual([r.kind, r.resource, r.requestKind, r.requestResource], [
      { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' },
      { group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers' },
      { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
      { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' },
    ]);
    assert.equal(r.object.apiVersion, 'autoscaling/v1');
    assert.equal(r.object.spec.targetCPUUtilizationPercentage, 99);
    await remove('Validating', 'hpa-v1');

    // With Exact, only requests in the rule's own version are sent.
    await create('Validating', webhookConfig('Validating', 'hpa-v1-exact', [
      {
        name: 'hpa-exact.example.com',
        clientConfig: { url: `${base}/hpa`, caBundle },
        rules: [{ operations: ['CREATE'], apiGroups: ['autoscaling'], apiVersions: ['v1'], resources: ['horizontalpodautoscalers'] }],
        matchPolicy: 'Exact',
      },
    ]));
    const v1 = (name: string) => ({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3, targetCPUUtilizationPercentage: 99 } });
    await eventually('the exact webhook to refuse', async () => {
      res = await api(ts.server, 'POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', v1(`hpa-${n++}`));
      return res.status !== 201;
    });
    assert.deepEqual([res!.status, res!.body.message], [400, 'admission webhook "hpa-exact.example.com" denied the request: seen as v1']);
    const viaV2 = await api(ts.server, 'POST', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', hpa('hpa-v2-exact'));
    assert.equal(viaV2.status, 201, JSON.stringify(viaV2.body));
    await remove('Validating', 'hpa-v1-exact');
  });

  it('match conditions in CEL decide whether the webhook is called', async () => {
    await create('Validating', webhookConfig('Validating', 'conditioned', [
      {
        name: 'cond.example.com',
        clientConfig: { url: `${base}/validate`, caBundle },
        rules: [rule(['configmaps'])],
        matchConditions: [{ name: 'named-check', expression: "object.metadata.name.startsWith('check-')" }],
      },
    ]));
    let res: { status: number; body: any } | undefined;
    let n = 0;
    await eventually('the webhook to refuse', async () => {
      res = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`check-${n++}`, { deny: 'true' }));
      return res.status !== 201;
    });
    assert.deepEqual([res!.status, res!.body.message], [403, 'admission webhook "cond.example.com" denied the request: ConfigMaps labelled deny=true are not allowed']);
    // The same labels under another name: the condition is false, the webhook is not called.
    const unchecked = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap('unchecked', { deny: 'true' }));
    assert.equal(unchecked.status, 201, JSON.stringify(unchecked.body));
    await remove('Validating', 'conditioned');
  });

  it('with the webhook down, failurePolicy Ignore lets the request through and Fail refuses with upstream\'s message', async () => {
    const down = await startWebhookServer(await issueCertificate(await createCertificateAuthority('down-ca', 1), { commonName: 'down', ipAddresses: ['127.0.0.1'], usage: 'serverAuth', validDays: 1 }));
    const port = (down.address() as AddressInfo).port;
    await new Promise<void>((r) => down.close(() => r()));
    const url = `https://127.0.0.1:${port}/validate`;
    await create('Validating', webhookConfig('Validating', 'down-ignore', [
      { name: 'ignore.example.com', clientConfig: { url, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { down: 'ignore' } }, failurePolicy: 'Ignore' },
    ]));
    await create('Validating', webhookConfig('Validating', 'down-fail', [
      { name: 'fail.example.com', clientConfig: { url, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { down: 'fail' } }, failurePolicy: 'Fail' },
    ]));
    let res: { status: number; body: any } | undefined;
    let n = 0;
    await eventually('the failing webhook to refuse', async () => {
      res = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`down-fail-${n++}`, { down: 'fail' }));
      return res.status !== 201;
    });
    assert.equal(res!.status, 500);
    const message = `Internal error occurred: failed calling webhook "fail.example.com": failed to call webhook: Post "${url}?timeout=10s": dial tcp 127.0.0.1:${port}: connect: connection refused`;
    assert.deepEqual(res!.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'InternalError', details: { causes: [{ message: message.replace('Internal error occurred: ', '') }] }, code: 500 });
    const ignored = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap('down-ignored', { down: 'ignore' }));
    assert.equal(ignored.status, 201, JSON.stringify(ignored.body));
    await remove('Validating', 'down-ignore');
    await remove('Validating', 'down-fail');
  });

  it('a rule for deployments/scale sees the autoscaling/v1 Scale of a scale update', async () => {
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'scaled' }, spec: { replicas: 1, selector: { matchLabels: { app: 'scaled' } }, template: { metadata: { labels: { app: 'scaled' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    assert.equal((await api(ts.server, 'POST', '/apis/apps/v1/namespaces/default/deployments', dep)).status, 201);
    await create('Validating', webhookConfig('Validating', 'scale-limit', [
      { name: 'scale.example.com', clientConfig: { url: `${base}/scale`, caBundle }, rules: [{ operations: ['UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments/scale'] }] },
    ]));
    let res: { status: number; body: any } | undefined;
    await eventually('the webhook to refuse', async () => {
      res = await api(ts.server, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/scaled/scale', { spec: { replicas: 9 } }, { 'content-type': 'application/merge-patch+json' });
      return res.status !== 200;
    });
    assert.deepEqual([res!.status, res!.body.reason, res!.body.message], [422, 'Invalid', 'admission webhook "scale.example.com" denied the request: scale of scaled to 9 refused']);
    const r = received.get('/scale')!.at(-1)!.request;
    assert.deepEqual([r.kind, r.resource, r.subResource, r.requestSubResource, r.object.kind, r.oldObject.spec.replicas], [
      { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      { group: 'apps', version: 'v1', resource: 'deployments' },
      'scale',
      'scale',
      'Scale',
      1,
    ]);
    // The Deployment itself (no subresource) is not covered by the rule.
    assert.equal((await api(ts.server, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/scaled', { spec: { replicas: 9 } }, { 'content-type': 'application/merge-patch+json' })).status, 200);
    await remove('Validating', 'scale-limit');
  });

  it('a webhook that does not answer within timeoutSeconds fails the call with context deadline exceeded', async () => {
    await create('Validating', webhookConfig('Validating', 'hanging', [
      { name: 'hang.example.com', clientConfig: { url: `${base}/hang`, caBundle }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { hang: 'yes' } }, timeoutSeconds: 1 },
    ]));
    let res: { status: number; body: any } | undefined;
    let n = 0;
    const started: number[] = [];
    await eventually('the webhook to time out', async () => {
      started.push(Date.now());
      res = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`hang-${n++}`, { hang: 'yes' }));
      return res.status !== 201;
    });
    const took = Date.now() - started.at(-1)!;
    assert.ok(took >= 900 && took < 3000, `took ${took} ms`);
    assert.deepEqual([res!.status, res!.body.message], [500, `Internal error occurred: failed calling webhook "hang.example.com": failed to call webhook: Post "${base}/hang?timeout=1s": context deadline exceeded`]);
    await remove('Validating', 'hanging');
  });

  it('DELETE is admitted with the old object and the DeleteOptions; namespaceSelector reads the namespace labels', async () => {
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: 'guarded', labels: { guard: 'on' } } })).status, 201);
    for (const ns of ['guarded', 'default']) {
      assert.equal((await api(ts.server, 'POST', `/api/v1/namespaces/${ns}/configmaps`, configMap('keep', { protect: 'true' }))).status, 201);
    }
    await create('Validating', webhookConfig('Validating', 'protect', [
      { name: 'protect.example.com', clientConfig: { url: `${base}/protect`, caBundle }, rules: [{ ...rule(['configmaps']), operations: ['DELETE'] }], namespaceSelector: { matchLabels: { guard: 'on' } } },
    ]));
    await eventually('the webhook to protect', async () => {
      const res = await api(ts.server, 'DELETE', '/api/v1/namespaces/guarded/configmaps/keep');
      if (res.status === 200) {
        await api(ts.server, 'POST', '/api/v1/namespaces/guarded/configmaps', configMap('keep', { protect: 'true' }));
        return false;
      }
      assert.deepEqual([res.status, res.body.message], [403, 'admission webhook "protect.example.com" denied the request: keep is protected (DeleteOptions)']);
      return true;
    });
    const r = received.get('/protect')!.at(-1)!.request;
    assert.deepEqual([r.operation, r.object, r.oldObject.metadata.name, r.options.apiVersion], ['DELETE', null, 'keep', 'meta.k8s.io/v1']);
    assert.equal((await api(ts.server, 'GET', '/api/v1/namespaces/guarded/configmaps/keep')).status, 200);
    // Outside the selected namespaces the webhook is not called.
    assert.equal((await api(ts.server, 'DELETE', '/api/v1/namespaces/default/configmaps/keep')).status, 200);
    await remove('Validating', 'protect');
  });

  it('a certificate the caBundle does not verify is a failure to call', async () => {
    const other = await createCertificateAuthority('other-ca', 1);
    await create('Validating', webhookConfig('Validating', 'wrong-ca', [
      { name: 'wrongca.example.com', clientConfig: { url: `${base}/validate`, caBundle: Buffer.from(other.certPem).toString('base64') }, rules: [rule(['configmaps'])], objectSelector: { matchLabels: { ca: 'wrong' } } },
    ]));
    let res: { status: number; body: any } | undefined;
    let n = 0;
    await eventually('the webhook to fail', async () => {
      res = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`wrong-ca-${n++}`, { ca: 'wrong' }));
      return res.status !== 201;
    });
    assert.deepEqual([res!.status, res!.body.message], [
      500,
      `Internal error occurred: failed calling webhook "wrongca.example.com": failed to call webhook: Post "${base}/validate?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    ]);
    await remove('Validating', 'wrong-ca');
  });
});
