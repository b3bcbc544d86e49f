/**
 * Heap the watch cache holds per object, against the object's stored bytes: Pods (10 000)
 * and 1 KiB ConfigMaps (100 000), stored as the server stores them (the protobuf envelope),
 * in the embedded store. Run in its own process with `--expose-gc` so the heap is measured
 * after full collections: `node --expose-gc --import tsx bench/watch-cache-memory.ts`.
 * Prints one JSON line per kind: objects, stored bytes, heap delta, the ratio, fill time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScheme } from '../src/machinery/runtime/scheme.js';
import { builtinDefinitions } from '../src/registry/definitions.js';
import { servedViews } from '../src/registry/rest/served.js';
import { createWatchCache } from '../src/storage/cache/watch-cache.js';
import { createEmbeddedBackend } from '../src/storage/embedded/index.js';
import { createObjectStore, type KubeObject } from '../src/storage/object-store.js';
import { PROTOBUF_MEDIA_TYPE } from '../src/storage/media-type.js';
import { storageCodec } from '../src/storage/storage-codec.js';
import { protobufTypeLookup } from '../src/server/storage-types.js';
import { cachedStore } from '../src/server/watch-cache-setup.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** A Pod as a Deployment's running replica looks once kubelet reported it (about 2.5 KiB stored). */
function pod(i: number): KubeObject {
  const at = '2026-12-01T00:00:00Z';
  const hash = (i % 7).toString(16).padStart(10, 'a');
  const name = `web-${hash}-${String(i).padStart(5, '0')}`;
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `web-${hash}-`,
      namespace: `ns-${i % 20}`,
      uid: `6f1c2d4e-0000-4000-8000-${String(i).padStart(12, '0')}`,
      labels: { app: `app-${i % 300}`, 'pod-template-hash': hash },
      creationTimestamp: at,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${hash}`, uid: '0b5a4c1e-1111-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }],
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: at, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} } }, 'f:spec': { 'f:containers': {} } } },
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: at, fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:podIP': {} } } },
      ],
    },
    spec: {
      nodeName: `node-${i % 100}`,
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/team/web:1.27.3',
          ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
          env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      volumes: [{ name: 'kube-api-access', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
      hostIP: `192.168.0.${i % 100}`,
      podIP: `10.1.${(i >> 8) & 255}.${i & 255}`,
      podIPs: [{ ip: `10.1.${(i >> 8) & 255}.${i & 255}` }],
      startTime: at,
      qosClass: 'Burstable',
      containerStatuses: [
        {
          name: 'web',
          state: { running: { startedAt: at } },
          ready: true,
          restartCount: 0,
          image: 'registry.example.com/team/web:1.27.3',
          imageID: 'registry.example.com/team/web@sha256:4f5a3c2b1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a',
          containerID: `containerd://${String(i).padStart(64, 'c')}`,
          started: true,
        },
      ],
    },
  };
}

function configMap(i: number): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: `ns-${i % 50}`, uid: `u-${i}`, labels: { app: `a${i % 100}` } }, data: { v: 'x'.repeat(1024) } };
}

async function measureKind(resource: string, count: number, make: (i: number) => KubeObject): Promise<Record<string, number | string>> {
  const dir = await mkdtemp(join(tmpdir(), 'wheelhouse-cache-mem-'));
  const backend = createEmbeddedBackend({ dataDir: dir, synchronous: 'NORMAL' });
  try {
    const scheme = createScheme();
    for (const def of builtinDefinitions) scheme.register(servedViews(def).map((v) => v.schema));
    const codec = storageCodec({ mediaType: PROTOBUF_MEDIA_TYPE, protobufType: protobufTypeLookup(scheme) });
    let stored = 0;
    const writes: Promise<number>[] = [];
    for (let i = 0; i < count; i++) {
      const o = make(i);
      const value = codec.encode(o);
      stored += value.byteLength;
      writes.push(backend.create(`/registry/${resource}/${o.metadata!.namespace}/${o.metadata!.name}`, value));
      if (writes.length >= 512) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    gc?.();
    gc?.();
    const before = process.memoryUsage();
    const def = builtinDefinitions.find((d) => d.group === '' && d.resource === resource)!;
    const cache = createWatchCache({ backend, inner: createObjectStore(backend, { codec }), codec });
    const started = performance.now();
    cachedStore(cache, '/registry', def);
    await cache.whenReady();
    const fillMs = performance.now() - started;
    gc?.();
    gc?.();
    const after = process.memoryUsage();
    const heap = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
    cache.stop();
    // The memo of response bytes (default budget) is counted in the heap: it holds nothing until reads fill it.
    const memoHeldBytes = cache.memoStats()?.heldBytes ?? 0;
    return { resource, objects: count, storedBytes: stored, bytesPerObject: Math.round(stored / count), heapDelta: heap, memoHeldBytes, ratio: Number((heap / stored).toFixed(2)), fillMs: Math.round(fillMs) };
  } finally {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (!gc) throw new Error('run with node --expose-gc');
const quick = process.env.BENCH_QUICK === '1';
console.log(JSON.stringify(await measureKind('pods', quick ? 2000 : 10_000, pod)));
console.log(JSON.stringify(await measureKind('configmaps', quick ? 5000 : 100_000, configMap)));
