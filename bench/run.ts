/**
 * `npm run bench`: creates 1 KiB ConfigMaps at concurrency 64 through the HTTP API (JSON)
 * and through gRPC, and puts the same bytes straight into etcd through the same etcd3
 * client, all in one run; then HTTP again with values stored as JSON rather than the default
 * protobuf envelope; then the same API paths over the embedded store. Prints
 * throughput, p50/p99 latency and the ratios against raw etcd.
 *
 * The server runs as its own process (as `npm start` runs it), so the load generator
 * and the server do not share an event loop.
 *
 * Environment: BENCH_REQUESTS (per scenario, default 4000), BENCH_CONCURRENCY (default 64).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import type { ConfigMap } from '../gen/k8s/io/api/core/v1/config.js';
import { ConfigMapServiceClient } from '../gen/wheelhouse/core/v1/services.js';
import { kubeJsonToMessage } from '../src/machinery/schema/index.js';
import { startEtcd } from '../test/helpers/etcd.js';
import { type Figures, measure as measureLoop } from './measure.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const VALUE = 'x'.repeat(1024);

/** One scenario of this run: warm up, then REQUESTS creates at CONCURRENCY. */
function measure(name: string, op: (i: number) => Promise<unknown>): Promise<Figures> {
  return measureLoop(name, op, { requests: REQUESTS, concurrency: CONCURRENCY, warmup: 200 });
}

function configMap(prefix: string, i: number): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i < 0 ? `w${-i}` : i}` }, data: { v: VALUE } };
}

/** A server process and where it listens. */
interface ServerProcess {
  url: string;
  grpcAddress: string;
  child: ChildProcess;
}

async function startServerProcess(args: string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cmd/wheelhouse.ts', '--port', '0', '--grpc-port', '0', '--compaction-interval', '0', ...args], {
    cwd: new URL('..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const http = /HTTP API:\s+(\S+)/.exec(out);
      const grpc = /gRPC:\s+(\S+)/.exec(out);
      if (http?.[1] && grpc?.[1]) resolve({ url: http[1], grpcAddress: grpc[1], child });
    });
  });
}

async function stopServerProcess(p: ServerProcess): Promise<void> {
  p.child.removeAllListeners('exit');
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

/** One POST over a keep-alive agent (node:http is far cheaper per request than fetch). */
function post(agent: Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return send(agent, url, 'POST', body, 'application/json');
}

/** One request with a body over a keep-alive agent. */
function send(agent: Agent, url: URL, method: string, body: string, contentType: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent, headers: { 'content-type': contentType, accept: 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function httpScenario(server: ServerProcess, name: string, prefix: string): Promise<Figures> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(`${server.url}/api/v1/namespaces/default/configmaps`);
  try {
    return await measure(name, async (i) => {
      const res = await post(agent, url, JSON.stringify(configMap(prefix, i)));
      if (res.status !== 201) throw new Error(`HTTP create failed: ${res.status} ${res.text}`);
    });
  } finally {
    agent.destroy();
  }
}

async function grpcScenario(server: ServerProcess, name: string, prefix: string): Promise<Figures> {
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

function row(f: Figures, baseline?: Figures, against = 'raw etcd'): string {
  const ratio = baseline ? `${(f.opsPerSec / baseline.opsPerSec).toFixed(2)}x` : '1.00x';
  return `${f.name.padEnd(34)} ${f.opsPerSec.toFixed(0).padStart(8)} ops/s   p50 ${f.p50.toFixed(2).padStart(7)} ms   p99 ${f.p99.toFixed(2).padStart(7)} ms   vs ${against} ${ratio}`;
}

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

/**
 * What field management costs on updates: the same Deployments rewritten by a strategic merge
 * patch (an Update entry recorded) and by server-side apply (merge, conflicts, pruning).
 */
async function fieldManagementScenarios(server: ServerProcess): Promise<Figures[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const base = `${server.url}/apis/apps/v1/namespaces/default/deployments`;
  try {
    for (let i = 0; i < DEPLOYMENTS; i++) {
      const res = await post(agent, new URL(base), JSON.stringify(deployment(i, 'app:0')));
      if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${res.text}`);
    }
    const patch = await measure('HTTP strategic merge patch (embedded)', async (i) => {
      const n = ((i % DEPLOYMENTS) + DEPLOYMENTS) % DEPLOYMENTS;
      const body = JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'app', image: `app:p${i}` }] } } } });
      const res = await send(agent, new URL(`${base}/web-${n}?fieldManager=patcher`), 'PATCH', body, 'application/strategic-merge-patch+json');
      if (res.status !== 200) throw new Error(`patch failed: ${res.status} ${res.text}`);
    });
    const apply = await measure('HTTP server-side apply (embedded)', async (i) => {
      const n = ((i % DEPLOYMENTS) + DEPLOYMENTS) % DEPLOYMENTS;
      const res = await send(agent, new URL(`${base}/web-${n}?fieldManager=applier&force=true`), 'PATCH', JSON.stringify(deployment(n, `app:a${i}`)), 'application/apply-patch+yaml');
      if (res.status !== 200) throw new Error(`apply failed: ${res.status} ${res.text}`);
    });
    return [patch, apply];
  } finally {
    agent.destroy();
  }
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
    const onEtcd = await startServerProcess(['--data-dir', etcdDir, '--etcd-servers', etcd.endpoint]);
    results.push(await grpcScenario(onEtcd, 'gRPC create (etcd)', 'grpc'));
    results.push(await httpScenario(onEtcd, 'HTTP JSON create (etcd)', 'http'));
    await stopServerProcess(onEtcd);

    // The same over etcd with values stored as JSON instead of the default protobuf envelope.
    const jsonDir = await mkdtemp(join(tmpdir(), 'wheelhouse-bench-'));
    dirs.push(jsonDir);
    const onEtcdJson = await startServerProcess(['--data-dir', jsonDir, '--etcd-servers', etcd.endpoint, '--etcd-prefix', '/bench-json', '--storage-media-type', 'application/json']);
    results.push(await httpScenario(onEtcdJson, 'HTTP JSON create (etcd, JSON storage)', 'http'));
    await stopServerProcess(onEtcdJson);

    const embeddedDir = await mkdtemp(join(tmpdir(), 'wheelhouse-bench-'));
    dirs.push(embeddedDir);
    const embedded = await startServerProcess(['--data-dir', embeddedDir]);
    results.push(await httpScenario(embedded, 'HTTP JSON create (embedded)', 'http'));
    results.push(await grpcScenario(embedded, 'gRPC create (embedded)', 'grpc'));
    const [patch, apply] = await fieldManagementScenarios(embedded);
    await stopServerProcess(embedded);

    process.stdout.write(`\n1 KiB ConfigMaps, ${REQUESTS} creates per scenario, concurrency ${CONCURRENCY}\n`);
    for (const f of results) process.stdout.write(row(f, raw) + '\n');
    process.stdout.write(`\nDeployment updates (${DEPLOYMENTS} objects, ${REQUESTS} writes per scenario, concurrency ${CONCURRENCY})\n`);
    process.stdout.write(row(patch!, patch, 'SMP') + '\n');
    process.stdout.write(row(apply!, patch, 'SMP') + '\n');
  } finally {
    await etcd.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}

await main();
