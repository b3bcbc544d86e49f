/**
 * `npm run bench`: creates 1 KiB ConfigMaps at concurrency 64 through the HTTP API (JSON)
 * and through gRPC, and puts the same bytes straight into etcd through the same etcd3
 * client, all in one run; then the same API paths over the embedded store. Prints
 * throughput, p50/p99 latency and the ratios against raw etcd.
 *
 * Environment: BENCH_REQUESTS (per scenario, default 4000), BENCH_CONCURRENCY (default 64).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import type { ConfigMap } from '../gen/k8s/io/api/core/v1/config.js';
import { ConfigMapServiceClient } from '../gen/wheelhouse/core/v1/services.js';
import { kubeJsonToMessage } from '../src/machinery/schema/index.js';
import { startServer, type RunningServer } from '../src/server/server.js';
import { startEtcd } from '../test/helpers/etcd.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const VALUE = 'x'.repeat(1024);

interface Figures {
  name: string;
  opsPerSec: number;
  p50: number;
  p99: number;
}

async function measure(name: string, op: (i: number) => Promise<void>): Promise<Figures> {
  for (let i = 0; i < 200; i++) await op(-1 - i); // warm-up
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { name, opsPerSec: REQUESTS / elapsed, p50: pct(0.5), p99: pct(0.99) };
}

function configMap(prefix: string, i: number): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i < 0 ? `w${-i}` : i}` }, data: { v: VALUE } };
}

async function httpScenario(server: RunningServer, name: string, prefix: string): Promise<Figures> {
  return measure(name, async (i) => {
    const res = await fetch(`${server.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(configMap(prefix, i)),
    });
    if (res.status !== 201) throw new Error(`HTTP create failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  });
}

async function grpcScenario(server: RunningServer, name: string, prefix: string): Promise<Figures> {
  const client = new ConfigMapServiceClient(server.grpcAddress, credentials.createInsecure());
  try {
    return await measure(name, (i) =>
      new Promise<void>((resolve, reject) => {
        const { apiVersion: _a, kind: _k, ...json } = configMap(prefix, i);
        const object = kubeJsonToMessage('k8s.io.api.core.v1.ConfigMap', json).message as unknown as ConfigMap;
        client.create({ namespace: 'default', object }, (err) => (err ? reject(err) : resolve()));
      }),
    );
  } finally {
    client.close();
  }
}

function row(f: Figures, baseline?: Figures): string {
  const ratio = baseline ? `${(f.opsPerSec / baseline.opsPerSec).toFixed(2)}x` : '1.00x';
  return `${f.name.padEnd(34)} ${f.opsPerSec.toFixed(0).padStart(8)} ops/s   p50 ${f.p50.toFixed(2).padStart(7)} ms   p99 ${f.p99.toFixed(2).padStart(7)} ms   vs raw etcd ${ratio}`;
}

async function main(): Promise<void> {
  const etcd = await startEtcd();
  const dirs: string[] = [];
  const results: Figures[] = [];
  try {
    const client = new Etcd3({ hosts: etcd.endpoint });
    const raw = await measure('raw etcd put (etcd3 client)', async (i) => {
      await client.put(`/bench/raw/default/raw-${i}`).value(JSON.stringify(configMap('raw', i)));
    });
    client.close();
    results.push(raw);

    const etcdDir = await mkdtemp(join(tmpdir(), 'wheelhouse-bench-'));
    dirs.push(etcdDir);
    const onEtcd = await startServer({ dataDir: etcdDir, port: 0, grpcPort: 0, etcdServers: [etcd.endpoint], compactionIntervalSeconds: 0 });
    results.push(await httpScenario(onEtcd, 'HTTP JSON create (etcd)', 'http'));
    results.push(await grpcScenario(onEtcd, 'gRPC create (etcd)', 'grpc'));
    await onEtcd.close();

    const embeddedDir = await mkdtemp(join(tmpdir(), 'wheelhouse-bench-'));
    dirs.push(embeddedDir);
    const embedded = await startServer({ dataDir: embeddedDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0 });
    results.push(await httpScenario(embedded, 'HTTP JSON create (embedded)', 'http'));
    results.push(await grpcScenario(embedded, 'gRPC create (embedded)', 'grpc'));
    await embedded.close();

    process.stdout.write(`\n1 KiB ConfigMaps, ${REQUESTS} creates per scenario, concurrency ${CONCURRENCY}\n`);
    for (const f of results) process.stdout.write(row(f, raw) + '\n');
  } finally {
    await etcd.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}

await main();
