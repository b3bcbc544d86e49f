/**
 * Full LIST of 10 000 Pods, JSON and protobuf: the whole-list encoding (what every LIST paid
 * before) against the item-by-item one, and the LIST over HTTP end to end, each as p50 time
 * and peak extra memory, with ratios against `JSON.stringify` of the same list measured in
 * the same run.
 *
 * Peak extra memory is live memory (V8 heap plus ArrayBuffers, after a forced GC) at each
 * point the sink receives a chunk, less what was live before the encode began (the list
 * itself); the encoders are timed in separate runs without the forced GCs. Over HTTP the
 * server's memory is sampled every few ms during the response without forcing GCs, so
 * that figure includes garbage not yet collected.
 *
 * `run(ctx)` gives bench/run.ts its rows; alone, `tsx bench/list-encoding.ts` prints its own
 * table. BENCH_QUICK=1 uses 2 000 Pods and fewer rounds (BENCH_LIST_PODS sets the count).
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeBody } from '../src/endpoints/response/encode.js';
import { CHUNK_BYTES, chunkedListBody } from '../src/endpoints/response/list-encode.js';
import { PROTOBUF } from '../src/endpoints/request/media-type.js';
import type { KubeList, KubeObject } from '../src/machinery/meta/object.js';
import { itemListOf } from '../src/registry/rest/resource-store.js';
import { startTestServer, type TestServer } from '../test/helpers/server.js';

/** Pods in the list and timed rounds per scenario: set by `benchListEncoding` for its run. */
let PODS = 10_000;
let ROUNDS = 7;
const NS = 'bench-list';

/** One row of bench/run.ts's table (the harness's Row, structurally). */
export interface ListRow {
  metric: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  target?: { on: 'value' | 'ratio'; op: '>=' | '<='; bound: number };
}

/** One row: p50 milliseconds, peak extra bytes, and both as ratios against the baseline's. */
export interface ListEncodingFigure {
  name: string;
  p50Ms: number;
  peakBytes: number | undefined;
  timeRatio: number;
  memoryRatio: number | undefined;
}

/** The GC hook: `--expose-gc`'s, or the same flag set now (V8 then gives `gc` to a new context). */
const gc: (() => void) | undefined = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

function live(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function pod(i: number): Record<string, unknown> {
  return {
    metadata: {
      name: `web-${String(i).padStart(5, '0')}`,
      namespace: NS,
      uid: randomUUID(),
      resourceVersion: String(1000 + i),
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'web', shard: String(i % 7), 'pod-template-hash': '5d8f9c7b6' },
      annotations: { 'example.com/revision': String(i) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f9c7b6', uid: '6f1c1b8e-2f55-4a3e-9d7c-1f0e2a3b4c5d', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: `node-${i % 13}`,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      securityContext: {},
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/web:1.2.3',
          args: ['--port=8080', `--id=${i}`],
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'production' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '1Gi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: { phase: 'Running', podIP: `10.1.${(i >> 8) & 255}.${i & 255}`, hostIP: '10.0.0.1', qosClass: 'Burstable', startTime: '2026-01-01T00:00:01Z' },
  };
}

function p50(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Collects garbage and waits for freed ArrayBuffers to be released. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Encoder = (sink: (chunk: Uint8Array) => void) => void;

/**
 * Times each encoder (which hands its output to a sink) over ROUNDS rounds, the encoders
 * taking turns in each round so that they share the machine's ups and downs; then one more
 * run each with a GC and a live-memory sample at every chunk: peak live memory above the start.
 */
async function measureEncoders(encoders: [string, Encoder][]): Promise<{ name: string; p50Ms: number; peakBytes: number | undefined }[]> {
  const times = encoders.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS + 1; r++) {
    for (const [e, [name, encode]] of encoders.entries()) {
      let bytes = 0;
      gc?.(); // each encoder starts without the garbage of the one before
      const t0 = performance.now();
      encode((c) => {
        bytes += c.length;
      });
      if (r > 0) times[e]!.push(performance.now() - t0);
      if (bytes === 0) throw new Error(`${name} wrote nothing`);
    }
  }
  const out = [];
  for (const [e, [name, encode]] of encoders.entries()) {
    let peakBytes: number | undefined;
    if (gc) {
      await settle();
      const base = live();
      let peak = 0;
      encode(() => {
        gc();
        peak = Math.max(peak, live() - base);
      });
      peakBytes = peak;
    }
    out.push({ name, p50Ms: p50(times[e]!), peakBytes });
  }
  return out;
}

function get(agent: Agent, url: URL, accept: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent, headers: { accept } }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`LIST answered ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The LIST through a server in this process (embedded store): p50 time and peak sampled memory growth. */
async function measureHttp(ts: TestServer): Promise<{ name: string; p50Ms: number; peakBytes: number | undefined }[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const res = await fetch(`${ts.server.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: NS } }) });
    if (res.status !== 201) throw new Error(`namespace: ${res.status}`);
    const def = ts.server.catalog.resource('', 'v1', 'pods')!.definition;
    for (let i = 0; i < PODS; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, PODS - i) }, (_, j) => {
          const { resourceVersion: _rv, ...metadata } = pod(i + j).metadata as Record<string, unknown>;
          const obj = { apiVersion: 'v1', kind: 'Pod', ...pod(i + j), metadata };
          return ts.server.backend.create(`/registry/pods/${NS}/${metadata.name as string}`, encodeBody(PROTOBUF, obj as KubeObject, def));
        }),
      );
    }
    const url = new URL(`${ts.server.url}/api/v1/namespaces/${NS}/pods`);
    const out = [];
    for (const [label, accept] of [
      ['HTTP LIST JSON (embedded store)', 'application/json'],
      ['HTTP LIST protobuf (embedded store)', PROTOBUF],
    ] as const) {
      const times: number[] = [];
      let peak = 0;
      for (let r = 0; r < ROUNDS + 1; r++) {
        await settle();
        const base = live();
        const timer = setInterval(() => {
          peak = Math.max(peak, live() - base);
        }, 2);
        const t0 = performance.now();
        await get(agent, url, accept);
        clearInterval(timer);
        if (r > 0) times.push(performance.now() - t0);
      }
      out.push({ name: label, p50Ms: p50(times), peakBytes: gc ? peak : undefined });
    }
    return out;
  } finally {
    agent.destroy();
  }
}

/** Runs every scenario and prints the table; returns the rows (for bench/run.ts). */
export async function benchListEncoding(
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  quick = process.env.BENCH_QUICK === '1',
): Promise<ListEncodingFigure[]> {
  PODS = Number(process.env.BENCH_LIST_PODS ?? (quick ? 2000 : 10_000));
  ROUNDS = quick ? 3 : 7;
  const items = Array.from({ length: PODS }, (_, i) => pod(i)) as KubeObject[];
  const list: KubeList = { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: String(1000 + PODS) }, items };
  const whole = list as unknown as KubeObject;
  const server = await startTestServer({ plainHttp: true });
  try {
    const served = server.server.catalog.resource('', 'v1', 'pods')!.definition;
    const stream = (mediaType: 'application/json' | typeof PROTOBUF) => (sink: (c: Uint8Array) => void) => {
      const body = chunkedListBody(mediaType, itemListOf(list), served);
      if (!body) throw new Error('not streamed');
      for (const c of body.chunks) sink(c);
    };
    const rows = [
      ...(await measureEncoders([
        // What every JSON LIST wrote before: the whole list's JSON.stringify, as one buffer.
        ['baseline: JSON.stringify, whole', (sink) => sink(encodeBody('application/json', whole, served))],
        ['JSON item by item', stream('application/json')],
        ['protobuf whole (previous path)', (sink) => sink(encodeBody(PROTOBUF, whole, served))],
        ['protobuf item by item (two passes)', stream(PROTOBUF)],
      ])),
      ...(await measureHttp(server)),
    ];
    const base = rows[0]!;
    const figures: ListEncodingFigure[] = rows.map((r) => ({
      ...r,
      timeRatio: r.p50Ms / base.p50Ms,
      memoryRatio: r.peakBytes !== undefined && base.peakBytes ? r.peakBytes / base.peakBytes : undefined,
    }));
    const itemJson = Buffer.byteLength(JSON.stringify(items[0]));
    const listJson = Buffer.byteLength(JSON.stringify(list));
    const mib = (n: number | undefined): string => (n === undefined ? '   n/a' : (n / 1048576).toFixed(2).padStart(6));
    print(`\nFull LIST of ${PODS} Pods: ${mib(listJson)} MiB of JSON, one item ${itemJson} B; chunks of ${CHUNK_BYTES / 1024} KiB${gc ? '' : ' (run with --expose-gc for memory)'}`);
    print(`${'scenario'.padEnd(40)} ${'p50 ms'.padStart(8)} ${'× base'.padStart(7)} ${'peak MiB'.padStart(9)} ${'× base'.padStart(7)}`);
    for (const f of figures) {
      print(
        `${f.name.padEnd(40)} ${f.p50Ms.toFixed(1).padStart(8)} ${f.timeRatio.toFixed(2).padStart(7)} ${mib(f.peakBytes).padStart(9)} ${(f.memoryRatio?.toFixed(3) ?? 'n/a').padStart(7)}`,
      );
    }
    print(`target: JSON LIST p50 ≤ 300 ms; peak extra ≤ 2 × item (${itemJson * 2} B) + response buffer (${CHUNK_BYTES} B chunk)`);
    lastItemBytes = itemJson;
    return figures;
  } finally {
    await server.stop();
  }
}

let lastItemBytes = 0;

/** bench/run.ts's entry: the figures as rows, each against JSON.stringify of the same list. */
export async function run(ctx: { quick: boolean; log?(message: string): void }): Promise<ListRow[]> {
  const figures = await benchListEncoding((line) => ctx.log?.(line), ctx.quick);
  const base = figures[0]!;
  const rows: ListRow[] = [];
  for (const f of figures.slice(1)) {
    const http = f.name.startsWith('HTTP LIST JSON');
    rows.push({
      metric: `LIST ${PODS} Pods: ${f.name}, p50`,
      value: f.p50Ms,
      unit: 'ms',
      baseline: { name: base.name, value: base.p50Ms },
      ...(http ? { target: { on: 'value' as const, op: '<=' as const, bound: 300 } } : {}),
    });
    if (f.peakBytes !== undefined && base.peakBytes !== undefined) {
      rows.push({ metric: `LIST ${PODS} Pods: ${f.name}, peak extra memory`, value: f.peakBytes / 1048576, unit: 'MiB', baseline: { name: base.name, value: base.peakBytes / 1048576 } });
    }
    if (f.name === 'JSON item by item' && f.peakBytes !== undefined) {
      // The memory target, stated directly: peak ÷ (2 × one encoded item + the response chunk).
      const bound = 2 * lastItemBytes + CHUNK_BYTES;
      rows.push({
        metric: `LIST ${PODS} Pods: JSON item by item, peak extra ÷ (2 × item + chunk)`,
        value: f.peakBytes / 1048576,
        unit: 'MiB',
        baseline: { name: '2 × one encoded Pod + one 64 KiB chunk', value: bound / 1048576 },
        target: { on: 'ratio', op: '<=', bound: 1 },
      });
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchListEncoding();
