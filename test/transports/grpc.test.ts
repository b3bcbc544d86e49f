/**
 * The gRPC transport end to end: a real server, the generated clients, errors with
 * the Kubernetes Status in the details, watch streams, health and reflection.
 */
import { createApiHandler } from '../../src/endpoints/pipeline.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { credentials, makeGenericClientConstructor, status as GrpcStatus, type ClientReadableStream, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { DeploymentServiceClient } from '../../gen/wheelhouse/apps/v1/services.js';
import { ConfigMapServiceClient, NamespaceServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import type { ConfigMap, ConfigMapList } from '../../gen/k8s/io/api/core/v1/config.js';
import type { Deployment } from '../../gen/k8s/io/api/apps/v1/generated.js';
import type { Status } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { DESCRIPTOR_SET_URL } from '../../src/transports/grpc/reflection.js';
import { startGrpcServer } from '../../src/transports/grpc/server.js';
import { grpcFailure, toJson, toMessage, unary } from '../parity/grpc-helpers.js';
import { OPEN_ACCESS, bufCurlTarget, grpcCredentials, seedTestPki } from '../helpers/server.js';

const CM = 'k8s.io.api.core.v1.ConfigMap';
const CM_LIST = 'k8s.io.api.core.v1.ConfigMapList';
const DEPLOY = 'k8s.io.api.apps.v1.Deployment';
const STATUS = 'k8s.io.apimachinery.pkg.apis.meta.v1.Status';
const NS = 'grpc-test';

const run = promisify(execFile);
const BUF = join(process.cwd(), 'node_modules/.bin/buf');

let server: RunningServer;
let dataDir: string;
let configMaps: InstanceType<typeof ConfigMapServiceClient>;
let deployments: InstanceType<typeof DeploymentServiceClient>;
let namespaces: InstanceType<typeof NamespaceServiceClient>;

function configMap(name: string, data: Record<string, string>, extra: Record<string, unknown> = {}): ConfigMap {
  return toMessage<ConfigMap>(CM, { metadata: { name, ...extra }, data });
}

/** Server-assigned metadata must be present and well-formed; returns the object without it. */
function withoutServerFields(obj: Record<string, unknown>): Record<string, unknown> {
  const { uid, resourceVersion, creationTimestamp, ...meta } = obj.metadata as Record<string, string>;
  assert.match(uid ?? '', /^[0-9a-f-]{36}$/);
  assert.match(resourceVersion ?? '', /^\d+$/);
  assert.match(creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  return { ...obj, metadata: meta };
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-grpc-'));
  await seedTestPki(dataDir);
  server = await startServer({ dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, ...OPEN_ACCESS });
  configMaps = new ConfigMapServiceClient(server.grpcAddress, grpcCredentials(server));
  deployments = new DeploymentServiceClient(server.grpcAddress, grpcCredentials(server));
  namespaces = new NamespaceServiceClient(server.grpcAddress, grpcCredentials(server));
  await unary((cb) => namespaces.create({ object: toMessage('k8s.io.api.core.v1.Namespace', { metadata: { name: NS } }) }, cb));
});

after(async () => {
  for (const c of [configMaps, deployments, namespaces]) c.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('gRPC resource services', () => {
  it('creates, gets, lists, updates and deletes a ConfigMap', async () => {
    const created = await unary<ConfigMap>((cb) =>
      configMaps.create({ namespace: NS, object: configMap('crud', { a: '1' }, { labels: { app: 'crud' } }) }, cb),
    );
    const createdJson = toJson(CM, created);
    const { managedFields, ...createdMeta } = createdJson.metadata as Record<string, unknown>;
    assert.deepEqual(withoutServerFields({ ...createdJson, metadata: createdMeta }), {
      metadata: { name: 'crud', namespace: NS, labels: { app: 'crud' } },
      data: { a: '1' },
    });
    // Without a fieldManager the create is recorded under gRPC's User-Agent prefix.
    const entries = managedFields as Array<Record<string, unknown>>;
    assert.deepEqual(
      entries.map((e) => [e.manager, e.operation, e.apiVersion, e.fieldsType, e.fieldsV1]),
      [['grpc-node-js', 'Update', 'v1', 'FieldsV1', { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } }]],
    );

    const got = await unary<ConfigMap>((cb) => configMaps.get({ namespace: NS, name: 'crud' }, cb));
    assert.deepEqual(toJson(CM, got), createdJson);

    const list = await unary<ConfigMapList>((cb) => configMaps.list({ namespace: NS, options: { labelSelector: 'app=crud' } }, cb));
    const listJson = toJson(CM_LIST, list);
    assert.match((listJson.metadata as { resourceVersion: string }).resourceVersion, /^\d+$/);
    assert.deepEqual(listJson.items, [createdJson]);
    const none = await unary<ConfigMapList>((cb) => configMaps.list({ namespace: NS, options: { labelSelector: 'app=other' } }, cb));
    assert.deepEqual(none.items, []);

    const changed = toMessage<ConfigMap>(CM, { ...createdJson, data: { a: '2', b: '3' } });
    const updated = toJson(CM, await unary<ConfigMap>((cb) => configMaps.update({ namespace: NS, object: changed }, cb)));
    const before = createdJson.metadata as Record<string, string>;
    const afterMeta = updated.metadata as Record<string, string>;
    assert.deepEqual(updated.data, { a: '2', b: '3' });
    assert.equal(afterMeta.uid, before.uid);
    assert.ok(Number(afterMeta.resourceVersion) > Number(before.resourceVersion));

    const deleted = await unary<Status>((cb) => configMaps.delete({ namespace: NS, name: 'crud' }, cb));
    assert.deepEqual(toJson(STATUS, deleted), {
      metadata: {},
      status: 'Success',
      code: 200,
      details: { name: 'crud', kind: 'configmaps', uid: before.uid },
    });
    const gone = await grpcFailure(() => unary((cb) => configMaps.get({ namespace: NS, name: 'crud' }, cb)));
    assert.equal(gone.grpcCode, GrpcStatus.NOT_FOUND);
  });

  it('updates a Deployment status through UpdateStatus and ignores status on Update', async () => {
    const spec = {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    };
    const created = await unary<Deployment>((cb) =>
      deployments.create({ namespace: NS, object: toMessage<Deployment>(DEPLOY, { metadata: { name: 'web' }, spec }) }, cb),
    );
    const createdJson = toJson(DEPLOY, created);
    assert.equal((createdJson.metadata as { generation: number }).generation, 1);
    assert.equal((createdJson.spec as { replicas: number }).replicas, 2);

    const withStatus = toMessage<Deployment>(DEPLOY, {
      ...createdJson,
      spec: { ...(createdJson.spec as object), replicas: 5 },
      status: { replicas: 2, readyReplicas: 1, observedGeneration: 1 },
    });
    const afterStatus = toJson(DEPLOY, await unary<Deployment>((cb) => deployments.updateStatus({ namespace: NS, object: withStatus }, cb)));
    assert.deepEqual(afterStatus.status, { replicas: 2, readyReplicas: 1, observedGeneration: 1 });
    assert.equal((afterStatus.spec as { replicas: number }).replicas, 2, 'UpdateStatus must not change spec');
    assert.equal((afterStatus.metadata as { generation: number }).generation, 1);

    const specChange = toMessage<Deployment>(DEPLOY, {
      ...afterStatus,
      spec: { ...(afterStatus.spec as object), replicas: 3 },
      status: { replicas: 9 },
    });
    const afterUpdate = toJson(DEPLOY, await unary<Deployment>((cb) => deployments.update({ namespace: NS, object: specChange }, cb)));
    assert.equal((afterUpdate.spec as { replicas: number }).replicas, 3);
    assert.equal((afterUpdate.metadata as { generation: number }).generation, 2);
    assert.deepEqual(afterUpdate.status, { replicas: 2, readyReplicas: 1, observedGeneration: 1 }, 'Update must not change status');
  });

  it('streams ADDED, MODIFIED and DELETED in order and stops on cancel', async () => {
    const start = await unary<ConfigMapList>((cb) => configMaps.list({ namespace: NS }, cb));
    const stream: ClientReadableStream<{ type?: string; object?: ConfigMap }> = configMaps.watch({
      namespace: NS,
      options: { resourceVersion: start.metadata?.resourceVersion ?? '', fieldSelector: 'metadata.name=watched' },
    });
    const seen: { type: string; name: string; data: unknown; rv: string }[] = [];
    const three = new Promise<void>((resolve, reject) => {
      stream.on('data', (ev: { type?: string; object?: ConfigMap }) => {
        const obj = toJson(CM, ev.object ?? {});
        const meta = obj.metadata as { name: string; resourceVersion: string };
        seen.push({ type: ev.type ?? '', name: meta.name, data: obj.data, rv: meta.resourceVersion });
        if (seen.length === 3) resolve();
      });
      stream.on('error', reject);
    });
    const ended = new Promise<number>((resolve) => stream.on('error', (e: { code: number }) => resolve(e.code)));

    const created = await unary<ConfigMap>((cb) => configMaps.create({ namespace: NS, object: configMap('watched', { v: '1' }) }, cb));
    await unary((cb) => configMaps.create({ namespace: NS, object: configMap('unwatched', { v: '1' }) }, cb));
    const modified = await unary<ConfigMap>((cb) =>
      configMaps.update({ namespace: NS, object: toMessage(CM, { ...toJson(CM, created), data: { v: '2' } }) }, cb),
    );
    await unary((cb) => configMaps.delete({ namespace: NS, name: 'watched' }, cb));
    await three;
    const createdRv = created.metadata?.resourceVersion ?? '';
    const modifiedRv = modified.metadata?.resourceVersion ?? '';
    assert.deepEqual(seen.slice(0, 2), [
      { type: 'ADDED', name: 'watched', data: { v: '1' }, rv: createdRv },
      { type: 'MODIFIED', name: 'watched', data: { v: '2' }, rv: modifiedRv },
    ]);
    assert.equal(seen[2]?.type, 'DELETED');
    assert.equal(seen[2]?.name, 'watched');
    assert.deepEqual(seen[2]?.data, { v: '2' });
    assert.ok(Number(seen[2]?.rv) > Number(modifiedRv));

    stream.cancel();
    assert.equal(await ended, GrpcStatus.CANCELLED);
  });

  it('ends a watch with OK at the server-side timeout', async () => {
    const stream = configMaps.watch({ namespace: NS, options: { timeoutSeconds: 1, fieldSelector: 'metadata.name=nothing' } });
    const events: unknown[] = [];
    stream.on('data', (ev) => events.push(ev));
    const status = await new Promise<StatusObject>((resolve, reject) => {
      stream.on('status', resolve);
      stream.on('error', reject);
    });
    assert.equal(status.code, GrpcStatus.OK);
    assert.deepEqual(events, []);
  });
});

describe('gRPC watch bookmarks', () => {
  it('sends periodic bookmarks with the last resourceVersion when allowed, and ends watches on shutdown', async () => {
    // Bookmarks are a pipeline setting (the same for HTTP): a handler with a short interval.
    const handler = createApiHandler(server.catalog, [], { bookmarkIntervalMs: 100 });
    const grpc = await startGrpcServer({ catalog: server.catalog, handler, address: '127.0.0.1:0' });
    const client = new ConfigMapServiceClient(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
    try {
      const start = await unary<ConfigMapList>((cb) => client.list({ namespace: NS }, cb));
      const stream = client.watch({
        namespace: NS,
        options: { resourceVersion: start.metadata?.resourceVersion ?? '', allowWatchBookmarks: true, fieldSelector: 'metadata.name=marked' },
      });
      stream.on('error', () => undefined);
      const ended = new Promise<StatusObject>((resolve) => stream.on('status', resolve));
      const events: { type: string; rv: string; name: string }[] = [];
      const done = new Promise<void>((resolve) => {
        stream.on('data', (ev: { type?: string; object?: ConfigMap }) => {
          events.push({ type: ev.type ?? '', rv: ev.object?.metadata?.resourceVersion ?? '', name: ev.object?.metadata?.name ?? '' });
          if (ev.type === 'BOOKMARK') resolve();
        });
      });
      const created = await unary<ConfigMap>((cb) => client.create({ namespace: NS, object: configMap('marked', {}) }, cb));
      await done;
      // Shutdown ends open watches with OK promptly (no forced cut-off after the grace period).
      const t0 = Date.now();
      await grpc.close();
      assert.ok(Date.now() - t0 < 1500, `close took ${Date.now() - t0}ms`);
      assert.equal((await ended).code, GrpcStatus.OK);
      const rv = created.metadata?.resourceVersion ?? '';
      // The bookmark is at the event's revision or later (the cache's progress may have moved on).
      const markRv = events[1]?.rv ?? '';
      assert.ok(Number(markRv) >= Number(rv), `bookmark at ${markRv} after ${rv}`);
      assert.deepEqual(events.slice(0, 2), [
        { type: 'ADDED', rv, name: 'marked' },
        { type: 'BOOKMARK', rv: markRv, name: '' },
      ]);
    } finally {
      client.close();
      await grpc.close();
    }
  });
});

describe('gRPC request checks', () => {
  it('answers a namespaced Get without a namespace as HTTP does: NotFound', async () => {
    const f = await grpcFailure(() => unary((cb) => configMaps.get({ name: 'x' }, cb)));
    assert.equal(f.grpcCode, GrpcStatus.NOT_FOUND);
    assert.equal(f.status.reason, 'NotFound');
    assert.equal(f.status.message, 'the server could not find the requested resource');
  });
});

describe('gRPC errors carry the Kubernetes Status', () => {
  it('NotFound', async () => {
    const f = await grpcFailure(() => unary((cb) => configMaps.get({ namespace: NS, name: 'x' }, cb)));
    assert.equal(f.grpcCode, GrpcStatus.NOT_FOUND);
    assert.equal(f.details, 'configmaps "x" not found');
    assert.deepEqual(f.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'configmaps' },
      code: 404,
    });
  });

  it('AlreadyExists', async () => {
    await unary((cb) => configMaps.create({ namespace: NS, object: configMap('dup', {}) }, cb));
    const f = await grpcFailure(() => unary((cb) => configMaps.create({ namespace: NS, object: configMap('dup', {}) }, cb)));
    assert.equal(f.grpcCode, GrpcStatus.ALREADY_EXISTS);
    assert.equal(f.status.reason, 'AlreadyExists');
    assert.equal(f.status.code, 409);
    assert.equal(f.status.message, 'configmaps "dup" already exists');
    assert.equal(f.details, 'configmaps "dup" already exists');
  });

  it('Conflict on a stale resourceVersion', async () => {
    const created = await unary<ConfigMap>((cb) => configMaps.create({ namespace: NS, object: configMap('stale', { v: '1' }) }, cb));
    const json = toJson(CM, created);
    await unary((cb) => configMaps.update({ namespace: NS, object: toMessage(CM, { ...json, data: { v: '2' } }) }, cb));
    const f = await grpcFailure(() => unary((cb) => configMaps.update({ namespace: NS, object: toMessage(CM, { ...json, data: { v: '3' } }) }, cb)));
    assert.equal(f.grpcCode, GrpcStatus.ABORTED);
    assert.equal(f.status.reason, 'Conflict');
    assert.equal(f.status.code, 409);
    assert.equal(
      f.status.message,
      'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('Invalid name → INVALID_ARGUMENT with causes', async () => {
    const f = await grpcFailure(() => unary((cb) => configMaps.create({ namespace: NS, object: configMap('Bad_Name', {}) }, cb)));
    assert.equal(f.grpcCode, GrpcStatus.INVALID_ARGUMENT);
    assert.equal(f.status.reason, 'Invalid');
    assert.equal(f.status.code, 422);
    assert.match(f.status.message ?? '', /^ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    assert.equal(f.details, f.status.message);
    assert.equal(f.status.details?.name, 'Bad_Name');
    assert.equal(f.status.details?.kind, 'ConfigMap');
    assert.equal(f.status.details?.causes?.length, 1);
    assert.equal(f.status.details?.causes?.[0]?.reason, 'FieldValueInvalid');
    assert.equal(f.status.details?.causes?.[0]?.field, 'metadata.name');
  });
});

describe('gRPC health and reflection', () => {
  it('reports SERVING for the server and each resource service', async () => {
    const Health = makeGenericClientConstructor(healthService, 'Health');
    const health = new Health(server.grpcAddress, grpcCredentials(server)) as unknown as {
      check(req: { service: string }, cb: (err: ServiceError | null, res: { status: string }) => void): void;
      close(): void;
    };
    try {
      for (const service of ['', 'wheelhouse.core.v1.ConfigMapService', 'wheelhouse.apps.v1.DeploymentService']) {
        const res = await unary<{ status: string }>((cb) => health.check({ service }, cb));
        assert.equal(res.status, 'SERVING', service);
      }
      const unknown = await grpcFailure(() => unary((cb) => health.check({ service: 'no.such.Service' }, cb)));
      assert.equal(unknown.grpcCode, GrpcStatus.NOT_FOUND);
    } finally {
      health.close();
    }
  });

  it('has the descriptor set reflection serves', () => {
    assert.ok(
      existsSync(DESCRIPTOR_SET_URL),
      'gen/descriptor.binpb is missing: `npm run generate` must run `buf build -o gen/descriptor.binpb` after `buf generate`',
    );
  });

  it('lists the resource services through buf curl', async () => {
    const { stdout } = await run(BUF, ['curl', '--protocol', 'grpc', ...bufCurlTarget(server).flags, '--list-services', `${bufCurlTarget(server).base}`]);
    const listed = stdout.trim().split('\n').sort();
    for (const name of [
      'wheelhouse.core.v1.ConfigMapService',
      'wheelhouse.core.v1.NamespaceService',
      'wheelhouse.core.v1.PodService',
      'wheelhouse.apps.v1.DeploymentService',
      'wheelhouse.batch.v1.JobService',
      'grpc.health.v1.Health',
    ]) {
      assert.ok(listed.includes(name), `${name} in ${listed.join(', ')}`);
    }
    assert.ok(listed.every((s) => s.startsWith('wheelhouse.') || s === 'grpc.health.v1.Health'), listed.join(', '));
  });

  it('serves a unary call through buf curl with reflection', async () => {
    await unary((cb) => configMaps.create({ namespace: NS, object: configMap('curl', { hello: 'world' }) }, cb));
    const { stdout } = await run(BUF, [
      'curl',
      '--protocol',
      'grpc',
      ...bufCurlTarget(server).flags,
      '-d',
      JSON.stringify({ namespace: NS, name: 'curl' }),
      `${bufCurlTarget(server).base}/wheelhouse.core.v1.ConfigMapService/Get`,
    ]);
    const body = JSON.parse(stdout) as { metadata: { name: string; namespace: string }; data: Record<string, string> };
    assert.equal(body.metadata.name, 'curl');
    assert.equal(body.metadata.namespace, NS);
    assert.deepEqual(body.data, { hello: 'world' });
  });
});
