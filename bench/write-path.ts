/**
 * The write path: 1 KiB ConfigMap creates at the run's concurrency through the HTTP API (JSON)
 * and through gRPC over etcd, against the same bytes put straight into etcd through the same
 * etcd3 client; over etcd with JSON storage; on the embedded store against the embedded
 * KvBackend's own creates; and Deployment updates by server-side apply against strategic
 * merge patch.
 */
import { credentials } from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import type { ConfigMap } from '../gen/k8s/io/api/core/v1/config.js';
import { ConfigMapServiceClient } from '../gen/wheelhouse/core/v1/services.js';
import { kubeJsonToMessage } from '../src/machinery/schema/index.js';
import { createEmbeddedBackend } from '../src/storage/embedded/index.js';
import { configMap, httpClient, type BenchContext, type Row, type ServerProcess } from './context.js';
import { type Figures, measure, processCpuMicros } from './measure.js';

function loop(ctx: BenchContext, name: string, op: (i: number) => Promise<unknown>, cpu?: () => number): Promise<Figures> {
  ctx.log(name);
  return measure(name, op, { requests: ctx.requests, concurrency: ctx.concurrency, warmup: ctx.quick ? 20 : 200, ...(cpu ? { cpu } : {}) });
}

/** A sampler of a process's CPU time so far (µs). */
const processCpu = (pid: number | undefined) => (): number => processCpuMicros(pid ?? 0);

/** This process's CPU time so far (µs): the load generator's, e.g. the etcd3 client's. */
const ownCpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** HTTP JSON creates of 1 KiB ConfigMaps in `default`. */
export function httpCreates(ctx: BenchContext, server: ServerProcess, name: string, prefix: string): Promise<Figures> {
  const client = httpClient(ctx.concurrency);
  const url = new URL(`${server.url}/api/v1/namespaces/default/configmaps`);
  return loop(
    ctx,
    name,
    async (i) => {
      const res = await client.send(url, 'POST', JSON.stringify(configMap(prefix, i)));
      if (res.status !== 201) throw new Error(`HTTP create failed: ${res.status} ${res.text}`);
    },
    processCpu(server.child.pid),
  ).finally(() => client.close());
}

/** gRPC creates of the same ConfigMaps. */
export function grpcCreates(ctx: BenchContext, server: ServerProcess, name: string, prefix: string): Promise<Figures> {
  const client = new ConfigMapServiceClient(server.grpcAddress, credentials.createInsecure());
  return loop(ctx, name, (i) =>
    new Promise<void>((resolve, reject) => {
      const { apiVersion: _a, kind: _k, ...json } = configMap(prefix, i);
      const object = kubeJsonToMessage('k8s.io.api.core.v1.ConfigMap', json).message as unknown as ConfigMap;
      client.create({ namespace: 'default', object }, (err) => (err ? reject(err) : resolve()));
    }),
    processCpu(server.child.pid),
  ).finally(() => client.close());
}

/** Throughput and p99; the CPU per operation where it was sampled (the server's for creates, the client's for raw puts). */
const throughput = (metric: string, f: Figures, baseline?: Figures, target?: Row['target'], cpuOf = 'server'): Row[] => [
  { metric, value: f.opsPerSec, unit: 'ops/s', ...(baseline ? { baseline: { name: baseline.name, value: baseline.opsPerSec } } : {}), ...(target ? { target } : {}) },
  { metric: `${metric} p99`, value: f.p99, unit: 'ms' },
  ...(f.cpuPerOp !== undefined ? [{ metric: `${metric}: ${cpuOf} CPU per op`, value: f.cpuPerOp, unit: 'µs' }] : []),
];

const DEPLOYMENTS = 512;

function deployment(i: number, image: string): Record<string, unknown> {
  const labels = { app: `web-${i}` };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web-${i}`, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }], env: [{ name: 'MODE', value: 'bench' }] }] } },
    },
  };
}

/** What field management costs on updates: strategic merge patch (an Update entry recorded) vs server-side apply. */
async function fieldManagement(ctx: BenchContext, server: ServerProcess): Promise<Row[]> {
  const client = httpClient(ctx.concurrency);
  const base = `${server.url}/apis/apps/v1/namespaces/default/deployments`;
  const count = ctx.quick ? 64 : DEPLOYMENTS;
  try {
    for (let i = 0; i < count; i++) {
      const res = await client.send(new URL(base), 'POST', JSON.stringify(deployment(i, 'app:0')));
      if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${res.text}`);
    }
    const at = (i: number): number => ((i % count) + count) % count;
    const patch = await loop(ctx, 'strategic merge patch of a Deployment (embedded, HTTP)', async (i) => {
      const body = JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'app', image: `app:p${i}` }] } } } });
      const res = await client.send(new URL(`${base}/web-${at(i)}?fieldManager=patcher`), 'PATCH', body, 'application/strategic-merge-patch+json');
      if (res.status !== 200) throw new Error(`patch failed: ${res.status} ${res.text}`);
    });
    const apply = await loop(ctx, 'server-side apply of a Deployment (embedded, HTTP)', async (i) => {
      const n = at(i);
      const res = await client.send(new URL(`${base}/web-${n}?fieldManager=applier&force=true`), 'PATCH', JSON.stringify(deployment(n, `app:a${i}`)), 'application/apply-patch+yaml');
      if (res.status !== 200) throw new Error(`apply failed: ${res.status} ${res.text}`);
    });
    return [...throughput(patch.name, patch), ...throughput(apply.name, apply, patch)];
  } finally {
    client.close();
  }
}

/** The embedded KvBackend's own creates of the same bytes, in this process (the embedded store's floor). */
async function rawEmbedded(ctx: BenchContext): Promise<Figures> {
  const backend = createEmbeddedBackend({ dataDir: await ctx.tempDir() });
  const bytes = new TextEncoder().encode(JSON.stringify(configMap('raw', 0)));
  try {
    return await loop(ctx, 'embedded KvBackend create (in process)', (i) => backend.create(`/registry/configmaps/default/raw-${i}`, bytes));
  } finally {
    await backend.close();
  }
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  const etcd = await ctx.etcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  const raw = await loop(
    ctx,
    'raw etcd put (etcd3 client)',
    async (i) => {
      await client.put(`/bench/raw/default/raw-${i}`).value(JSON.stringify(configMap('raw', i)));
    },
    ownCpu,
  ).finally(() => client.close());
  rows.push(...throughput(raw.name, raw, undefined, undefined, 'etcd3 client'));

  const onEtcd = await ctx.startServer(['--etcd-servers', etcd.endpoint]);
  const ratio = { on: 'ratio', op: '>=', bound: 0.9 } as const;
  rows.push(...throughput('create over etcd (HTTP JSON)', await httpCreates(ctx, onEtcd, 'create over etcd (HTTP JSON)', 'http'), raw, ratio));
  rows.push(...throughput('create over etcd (gRPC)', await grpcCreates(ctx, onEtcd, 'create over etcd (gRPC)', 'grpc'), raw, ratio));
  await onEtcd.stop();

  // The same over etcd with values stored as JSON instead of the default protobuf envelope.
  const onEtcdJson = await ctx.startServer(['--etcd-servers', etcd.endpoint, '--etcd-prefix', '/bench-json', '--storage-media-type', 'application/json']);
  rows.push(...throughput('create over etcd, JSON storage (HTTP JSON)', await httpCreates(ctx, onEtcdJson, 'create over etcd, JSON storage (HTTP JSON)', 'http'), raw));
  await onEtcdJson.stop();

  const rawKv = await rawEmbedded(ctx);
  rows.push(...throughput(rawKv.name, rawKv));
  const embedded = await ctx.startServer([]);
  rows.push(...throughput('create on embedded (HTTP JSON)', await httpCreates(ctx, embedded, 'create on embedded (HTTP JSON)', 'http'), rawKv));
  rows.push(...throughput('create on embedded (gRPC)', await grpcCreates(ctx, embedded, 'create on embedded (gRPC)', 'grpc'), rawKv));
  rows.push(...(await fieldManagement(ctx, embedded)));
  await embedded.stop();
  return rows;
}
