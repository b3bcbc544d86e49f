/**
 * HTTP/gRPC parity: the same sequence of calls over both transports must yield the
 * same objects and the same Status errors (the transports share one pipeline).
 * Server-assigned values (uid, creationTimestamp, resourceVersion) must be present but
 * may differ; protobuf objects carry no apiVersion/kind, so those are compared apart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Client, type ServiceError } from '@grpc/grpc-js';
import { DeploymentServiceClient } from '../../gen/wheelhouse/apps/v1/services.js';
import { HorizontalPodAutoscalerServiceClient } from '../../gen/wheelhouse/autoscaling/v2/services.js';
import { JobServiceClient } from '../../gen/wheelhouse/batch/v1/services.js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import type { Status as StatusMessage } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { REASON_CODES, type StatusReason } from '../../src/machinery/errors/index.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { statusFromMessage } from '../../src/transports/grpc/status-details.js';
import { grpcFailure, toJson, toMessage, unary } from './grpc-helpers.js';
import { OPEN_ACCESS, grpcCredentials, seedTestPki } from '../helpers/server.js';

type Json = Record<string, unknown>;

/** A call's outcome as a client sees it: the object, or the Status error. */
type Outcome = { object: Json } | { error: { reason: string; code: number; message: string } };

/** One kind as both transports address it. */
interface KindInfo {
  path: (ns: string) => string;
  typeName: string;
  listTypeName: string;
}

const KINDS = {
  ConfigMap: {
    path: (ns: string) => `/api/v1/namespaces/${ns}/configmaps`,
    typeName: 'k8s.io.api.core.v1.ConfigMap',
    listTypeName: 'k8s.io.api.core.v1.ConfigMapList',
  },
  Deployment: {
    path: (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`,
    typeName: 'k8s.io.api.apps.v1.Deployment',
    listTypeName: 'k8s.io.api.apps.v1.DeploymentList',
  },
} satisfies Record<string, KindInfo>;
type Kind = keyof typeof KINDS;

/** The operations of the parity sequence. */
interface Transport {
  create(kind: Kind, ns: string, obj: Json): Promise<Outcome>;
  get(kind: Kind, ns: string, name: string): Promise<Outcome>;
  list(kind: Kind, ns: string, labelSelector: string): Promise<Outcome>;
  update(kind: Kind, ns: string, obj: Json): Promise<Outcome>;
  delete(kind: Kind, ns: string, name: string): Promise<Outcome>;
}

function httpTransport(base: string): Transport {
  const send = async (method: string, url: string, body?: unknown): Promise<Outcome> => {
    const init: RequestInit = { method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    }
    const res = await fetch(base + url, init);
    const json = (await res.json()) as Json;
    if (res.status >= 400) {
      assert.equal(json.code, res.status);
      return { error: { reason: String(json.reason), code: res.status, message: String(json.message) } };
    }
    return { object: json };
  };
  const typed = (kind: Kind, obj: Json): Json => ({ apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', kind, ...obj });
  return {
    create: (kind, ns, obj) => send('POST', KINDS[kind].path(ns), typed(kind, obj)),
    get: (kind, ns, name) => send('GET', `${KINDS[kind].path(ns)}/${name}`),
    list: (kind, ns, sel) => send('GET', `${KINDS[kind].path(ns)}?labelSelector=${encodeURIComponent(sel)}`),
    update: (kind, ns, obj) => send('PUT', `${KINDS[kind].path(ns)}/${(obj.metadata as Json).name as string}`, typed(kind, obj)),
    delete: (kind, ns, name) => send('DELETE', `${KINDS[kind].path(ns)}/${name}`),
  };
}

/** The generated-client methods the sequence uses (every resource service has them). */
interface ResourceClient extends Client {
  get(req: unknown, cb: (err: ServiceError | null, res: object) => void): unknown;
  list(req: unknown, cb: (err: ServiceError | null, res: object) => void): unknown;
  create(req: unknown, cb: (err: ServiceError | null, res: object) => void): unknown;
  update(req: unknown, cb: (err: ServiceError | null, res: object) => void): unknown;
  delete(req: unknown, cb: (err: ServiceError | null, res: object) => void): unknown;
}

function grpcTransport(clients: Record<Kind, ResourceClient>): Transport {
  const attempt = async (run: () => Promise<Json>): Promise<Outcome> => {
    let object: Json | undefined;
    const failure = await grpcFailure(async () => {
      object = await run();
    }).catch(() => undefined);
    if (!failure) return { object: object as Json };
    const { status } = failure;
    assert.equal(failure.grpcCode, REASON_CODES[status.reason as StatusReason].grpc, 'gRPC code from REASON_CODES');
    assert.equal(failure.details, status.message, 'gRPC message is Status.message');
    return { error: { reason: String(status.reason), code: status.code, message: String(status.message) } };
  };
  const call = (client: ResourceClient, method: 'get' | 'list' | 'create' | 'update' | 'delete', req: unknown) =>
    unary<object>((cb) => client[method](req, cb));
  return {
    create: (kind, ns, obj) =>
      attempt(async () => toJson(KINDS[kind].typeName, await call(clients[kind], 'create', { namespace: ns, object: toMessage(KINDS[kind].typeName, obj) }))),
    get: (kind, ns, name) => attempt(async () => toJson(KINDS[kind].typeName, await call(clients[kind], 'get', { namespace: ns, name }))),
    list: (kind, ns, labelSelector) =>
      attempt(async () => {
        const list = toJson(KINDS[kind].listTypeName, await call(clients[kind], 'list', { namespace: ns, options: { labelSelector } }));
        // The codec omits empty repeated fields; a list's items are always present in JSON.
        return { ...list, items: list.items ?? [] };
      }),
    update: (kind, ns, obj) =>
      attempt(async () => toJson(KINDS[kind].typeName, await call(clients[kind], 'update', { namespace: ns, object: toMessage(KINDS[kind].typeName, obj) }))),
    delete: (kind, ns, name) =>
      attempt(async () => statusFromMessage((await call(clients[kind], 'delete', { namespace: ns, name })) as StatusMessage) as unknown as Json),
  };
}

/** The object of a successful outcome (fails the test otherwise). */
function objectOf(o: Outcome): Json {
  assert.ok('object' in o, `expected success, got ${JSON.stringify(o)}`);
  return o.object;
}

const DEPLOYMENT_SPEC = {
  replicas: 2,
  selector: { matchLabels: { app: 'parity' } },
  template: {
    metadata: { labels: { app: 'parity' } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
  },
};

/** Runs the sequence in `ns` and returns every outcome by step name. */
async function runSequence(t: Transport, ns: string): Promise<Record<string, Outcome>> {
  const out: Record<string, Outcome> = {};
  const cm = { metadata: { name: 'parity-cm', labels: { suite: 'parity' }, annotations: { note: 'x' } }, data: { a: '1' } };
  out.create = await t.create('ConfigMap', ns, cm);
  out.createDuplicate = await t.create('ConfigMap', ns, cm);
  out.get = await t.get('ConfigMap', ns, 'parity-cm');
  out.list = await t.list('ConfigMap', ns, 'suite=parity');
  out.listEmpty = await t.list('ConfigMap', ns, 'suite=none');
  const created = objectOf(out.create);
  out.update = await t.update('ConfigMap', ns, { ...created, data: { a: '2', b: '3' } });
  out.updateStale = await t.update('ConfigMap', ns, { ...created, data: { a: '4' } });
  out.getMissing = await t.get('ConfigMap', ns, 'missing');
  out.createInvalid = await t.create('ConfigMap', ns, { metadata: { name: 'Invalid_Name' } });
  out.createDeployment = await t.create('Deployment', ns, { metadata: { name: 'parity-web' }, spec: DEPLOYMENT_SPEC });
  out.getDeployment = await t.get('Deployment', ns, 'parity-web');
  out.createInvalidDeployment = await t.create('Deployment', ns, { metadata: { name: 'bad' }, spec: { ...DEPLOYMENT_SPEC, replicas: -1 } });
  out.delete = await t.delete('ConfigMap', ns, 'parity-cm');
  out.deleteMissing = await t.delete('ConfigMap', ns, 'parity-cm');
  return out;
}

const SET = '<set>';

/** Replaces server-assigned values (asserting they are present) and the namespace. */
function normalize(value: unknown, ns: string): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, ns));
  if (!value || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (k === 'uid' || k === 'creationTimestamp' || k === 'resourceVersion') {
      assert.ok(typeof v === 'string' && v.length > 0, `${k} must be set`);
      out[k] = SET;
    } else if (k === 'namespace' && v === ns) {
      out[k] = '<namespace>';
    } else if (k === 'managedFields') {
      // Managers default to each client's User-Agent, so entries differ by transport; the
      // field sets themselves are compared in test/parity/managed-fields.test.ts.
      continue;
    } else {
      out[k] = normalize(v, ns);
    }
  }
  return out;
}

/** HTTP objects carry apiVersion/kind (and so do list items' envelopes); protobuf ones do not. */
function withoutTypeMeta(o: Outcome): Outcome {
  if (!('object' in o)) return o;
  const { apiVersion: _a, kind: _k, ...rest } = o.object;
  if (o.object.kind === 'Status') return o;
  if (Array.isArray(rest.items)) rest.items = (rest.items as Json[]).map(({ apiVersion: _x, kind: _y, ...item }) => item);
  return { object: rest };
}

let server: RunningServer;
let dataDir: string;
let clients: Record<Kind, ResourceClient>;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-parity-'));
  await seedTestPki(dataDir);
  server = await startServer({ dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, ...OPEN_ACCESS });
  clients = {
    ConfigMap: new ConfigMapServiceClient(server.grpcAddress, grpcCredentials(server)) as unknown as ResourceClient,
    Deployment: new DeploymentServiceClient(server.grpcAddress, grpcCredentials(server)) as unknown as ResourceClient,
  };
  for (const name of ['parity-http', 'parity-grpc']) {
    const res = await fetch(`${server.url}/api/v1/namespaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
    });
    assert.equal(res.status, 201);
  }
});

after(async () => {
  for (const c of Object.values(clients ?? {})) c.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('HTTP and gRPC parity', () => {
  it('yields the same objects and errors for the same sequence', async () => {
    const http = await runSequence(httpTransport(server.url), 'parity-http');
    const grpc = await runSequence(grpcTransport(clients), 'parity-grpc');
    assert.deepEqual(Object.keys(grpc), Object.keys(http));
    for (const step of Object.keys(http)) {
      const h = normalize(withoutTypeMeta(http[step] as Outcome), 'parity-http');
      const g = normalize(withoutTypeMeta(grpc[step] as Outcome), 'parity-grpc');
      assert.deepEqual(g, h, `step ${step}`);
    }
    // The sequence really exercised both paths.
    assert.deepEqual(
      Object.entries(http).filter(([, o]) => 'error' in o).map(([step, o]) => [step, (o as { error: { reason: string } }).error.reason]),
      [
        ['createDuplicate', 'AlreadyExists'],
        ['updateStale', 'Conflict'],
        ['getMissing', 'NotFound'],
        ['createInvalid', 'Invalid'],
        ['createInvalidDeployment', 'Invalid'],
        ['deleteMissing', 'NotFound'],
      ],
    );
    assert.equal((objectOf(http.update as Outcome).data as Json).b, '3');
    assert.equal((objectOf(http.list as Outcome).items as Json[]).length, 1);
    assert.equal(objectOf(http.delete as Outcome).status, 'Success');
  });
});

/** Patch (each type) and DeleteCollection for one kind of each group (core, apps, autoscaling, batch), over both transports. */
describe('HTTP and gRPC parity: Patch and DeleteCollection', () => {
  const KINDS3 = [
    { kind: 'ConfigMap', client: ConfigMapServiceClient, base: '/api/v1', resource: 'configmaps', typeName: 'k8s.io.api.core.v1.ConfigMap', listTypeName: 'k8s.io.api.core.v1.ConfigMapList', apiVersion: 'v1',
      body: { data: { a: '1' } }, smp: { data: { b: '2' } } },
    { kind: 'Deployment', client: DeploymentServiceClient, base: '/apis/apps/v1', resource: 'deployments', typeName: 'k8s.io.api.apps.v1.Deployment', listTypeName: 'k8s.io.api.apps.v1.DeploymentList', apiVersion: 'apps/v1',
      body: { spec: DEPLOYMENT_SPEC }, smp: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } } },
    { kind: 'Job', client: JobServiceClient, base: '/apis/batch/v1', resource: 'jobs', typeName: 'k8s.io.api.batch.v1.Job', listTypeName: 'k8s.io.api.batch.v1.JobList', apiVersion: 'batch/v1',
      body: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] } } } }, smp: { spec: { activeDeadlineSeconds: 600 }, metadata: { annotations: { smp: 'yes' } } } },
    { kind: 'HorizontalPodAutoscaler', client: HorizontalPodAutoscalerServiceClient, base: '/apis/autoscaling/v2', resource: 'horizontalpodautoscalers',
      typeName: 'k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler', listTypeName: 'k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerList', apiVersion: 'autoscaling/v2',
      body: { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } }, smp: { spec: { maxReplicas: 7 } } },
  ] as const;
  const PATCHES = (k: (typeof KINDS3)[number]) =>
    [
      ['application/json-patch+json', [{ op: 'add', path: '/metadata/labels/json', value: 'yes' }]],
      ['application/merge-patch+json', { metadata: { labels: { merge: 'yes' } } }],
      ['application/strategic-merge-patch+json', k.smp],
    ] as const;

  /** The object with server-assigned values and its own uid (job selectors carry it) made comparable. */
  const comparable = (json: unknown, ns: string): unknown => {
    const uids = new Set<string>();
    JSON.stringify(json, (key, v) => (key === 'uid' && typeof v === 'string' ? (uids.add(v), v) : v));
    let text = JSON.stringify(json);
    for (const u of uids) text = text.split(u).join('<uid>');
    const parsed = JSON.parse(text) as Json;
    const { apiVersion: _a, kind: _k, ...rest } = parsed;
    return normalize(rest, ns);
  };

  for (const k of KINDS3) {
    it(`${k.kind}: Patch (json, merge, strategic) and DeleteCollection agree`, async () => {
      const client = new k.client(server.grpcAddress, grpcCredentials(server)) as unknown as Client & Record<string, (req: unknown, cb: (e: ServiceError | null, r: object) => void) => unknown>;
      try {
        const results: Record<'http' | 'grpc', unknown[]> = { http: [], grpc: [] };
        for (const [side, ns] of [['http', 'parity-http'], ['grpc', 'parity-grpc']] as const) {
          const path = `${k.base}/namespaces/${ns}/${k.resource}`;
          for (const name of ['p1', 'p2']) {
            const res = await fetch(server.url + path, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ apiVersion: k.apiVersion, kind: k.kind, metadata: { name, labels: { set: 'pd' } }, ...k.body }),
            });
            assert.equal(res.status, 201, await res.clone().text());
          }
          for (const [patchType, patch] of PATCHES(k)) {
            if (side === 'http') {
              const res = await fetch(`${server.url}${path}/p1`, { method: 'PATCH', headers: { 'content-type': patchType, accept: 'application/json' }, body: JSON.stringify(patch) });
              assert.equal(res.status, 200);
              results.http.push(comparable(await res.json(), ns));
            } else {
              const reply = await unary<object>((cb) => client.patch({ namespace: ns, name: 'p1', patchType, patch: Buffer.from(JSON.stringify(patch)) }, cb));
              results.grpc.push(comparable(toJson(k.typeName, reply), ns));
            }
          }
          if (side === 'http') {
            const res = await fetch(`${server.url}${path}?labelSelector=set%3Dpd&propagationPolicy=Background`, { method: 'DELETE', headers: { accept: 'application/json' } });
            assert.equal(res.status, 200);
            const list = (await res.json()) as Json;
            results.http.push(((list.items as Json[]) ?? []).map((i) => comparable(i, ns)));
          } else {
            const reply = await unary<object>((cb) => client.deleteCollection({ namespace: ns, listOptions: { labelSelector: 'set=pd' }, deleteOptions: { propagationPolicy: 'Background', dryRun: [] } }, cb));
            const list = toJson(k.listTypeName, reply);
            results.grpc.push(((list.items as Json[]) ?? []).map((i) => comparable(i, ns)));
          }
          const left = await fetch(`${server.url}${path}?labelSelector=set%3Dpd`, { headers: { accept: 'application/json' } });
          assert.deepEqual(((await left.json()) as Json).items, [], `${side}: the collection is gone`);
        }
        assert.deepEqual(results.grpc, results.http);
        const [json, merge, smp, deleted] = results.http as [Json, Json, Json, Json[]];
        assert.equal(((json.metadata as Json).labels as Json).json, 'yes');
        assert.equal(((merge.metadata as Json).labels as Json).merge, 'yes');
        assert.ok(smp.spec ?? smp.data);
        assert.equal(deleted.length, 2);
      } finally {
        client.close();
      }
    });
  }
});
