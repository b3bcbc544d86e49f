/**
 * Watch fan-out (issue 8, item 2): one write delivered to 1 000 HTTP watchers (p99 delivery
 * latency, encodes per event from /metrics), and the 1 000-watch storm without resourceVersion
 * on a namespace of 40 ConfigMaps of 110 KB (4.4 MB), over HTTP and over gRPC: time until every
 * watch has the initial state, the server's memory growth, and what is left of it once the
 * watches are gone. The server is its own process; its memory is read from its /metrics.
 *
 * Registered in bench/run.ts as `{ name: 'watch-fanout', run }`; also runnable alone:
 * `npx tsx bench/watch-fanout.ts` (BENCH_QUICK=1: 100 watchers, 10 objects, 5 writes;
 * BENCH_FANOUT_PARTS=fanout,http,grpc: only those parts).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListRequest } from '../gen/wheelhouse/meta/v1/requests.js';

/** The part of the bench context this benchmark uses (bench/context.ts). */
interface FanoutContext {
  quick: boolean;
  startServer(args: string[]): Promise<{ url: string; grpcAddress: string; stop(): Promise<void> }>;
  log(message: string): void;
}

/** One figure (bench/context.ts's Row). */
interface FanoutRow {
  metric: string;
  value: number;
  unit: string;
  target?: { on: 'value' | 'ratio'; op: '>=' | '<='; bound: number };
}

const MiB = 2 ** 20;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** A JSON request to the server. */
function call(agent: http.Agent, base: URL, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (data !== undefined) headers['content-type'] = 'application/json';
    const req = http.request({ host: base.hostname, port: base.port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A sample of the server's /metrics (0 when absent). */
async function sample(agent: http.Agent, base: URL, name: string, labels = ''): Promise<number> {
  const text = String((await call(agent, base, 'GET', '/metrics')).body);
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** A watch whose events are counted as they arrive; `onEvent` sees each count. */
interface CountingWatch {
  events: number;
  until(n: number): Promise<void>;
  close(): void;
}

function counting(onChunk: (chunk: Buffer) => number, onEvent?: (n: number) => void): { watch: CountingWatch; data(chunk: Buffer): void } {
  let waiters: Array<{ n: number; resolve: () => void }> = [];
  const watch: CountingWatch = {
    events: 0,
    until: (n) => (watch.events >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () => undefined,
  };
  return {
    watch,
    data(chunk) {
      const n = onChunk(chunk);
      if (n === 0) return;
      watch.events += n;
      onEvent?.(watch.events);
      waiters = waiters.filter((w) => (watch.events >= w.n ? (w.resolve(), false) : true));
    },
  };
}

const lines = (chunk: Buffer): number => {
  let n = 0;
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) n++;
  return n;
};

function grpcMessages(): (chunk: Buffer) => number {
  const header = Buffer.alloc(5);
  let filled = 0;
  let left = 0;
  return (chunk) => {
    let n = 0;
    for (let i = 0; i < chunk.length; ) {
      if (left > 0) {
        const take = Math.min(left, chunk.length - i);
        i += take;
        left -= take;
        if (left === 0) n++;
        continue;
      }
      header[filled++] = chunk[i++] ?? 0;
      if (filled === 5) {
        filled = 0;
        left = header.readUInt32BE(1);
        if (left === 0) n++;
      }
    }
    return n;
  };
}

function httpWatch(agent: http.Agent, base: URL, path: string, onEvent?: (n: number) => void): CountingWatch {
  const c = counting(lines, onEvent);
  const req = http.request({ host: base.hostname, port: base.port, path, headers: { accept: 'application/json' }, agent }, (res) => {
    res.on('data', c.data);
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  c.watch.close = () => req.destroy();
  return c.watch;
}

function grpcWatch(session: http2.ClientHttp2Session, namespace: string): CountingWatch {
  const c = counting(grpcMessages());
  const message = ListRequest.encode(ListRequest.fromPartial({ namespace })).finish();
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  const stream = session.request({ ':method': 'POST', ':path': '/wheelhouse.core.v1.ConfigMapService/Watch', 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('data', c.data);
  stream.on('error', () => undefined);
  stream.end(frame);
  c.watch.close = () => stream.close(http2.constants.NGHTTP2_CANCEL);
  return c.watch;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The server's resident memory, polled until `stop()`; returns the peak. */
function peakRss(agent: http.Agent, base: URL): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await sample(agent, base, 'process_resident_memory_bytes').catch(() => 0));
      await sleep(250);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** The benchmark: rows for the fan-out of one write and the two storms. */
export async function run(ctx: FanoutContext): Promise<FanoutRow[]> {
  const watchers = ctx.quick ? 100 : 1000;
  const objects = ctx.quick ? 10 : 40;
  const writes = Number(process.env.BENCH_FANOUT_WRITES ?? (ctx.quick ? 5 : 30));
  const server = await ctx.startServer([]);
  const base = new URL(server.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: watchers * 2 + 16 });
  const rows: FanoutRow[] = [];
  const parts = new Set((process.env.BENCH_FANOUT_PARTS ?? 'fanout,http,grpc').split(',').map((p) => p.trim()));
  try {
    const ns = (name: string) => call(agent, base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const encoded = (encoding: string) => sample(agent, base, 'apiserver_watch_cache_events_encoded_total', `group="",resource="configmaps",encoding="${encoding}"`);

    // One write → every watcher: delivery latency from the write's start to each watcher's line.
    if (parts.has('fanout')) await fanout();
    async function fanout(): Promise<void> {
      await ns('fanout');
      const listed = await call(agent, base, 'GET', '/api/v1/namespaces/fanout/configmaps');
      const rv = String(listed.body.metadata.resourceVersion);
      let writeStarted = 0;
      const latencies: number[] = [];
      const fan = Array.from({ length: watchers }, () =>
        httpWatch(agent, base, `/api/v1/namespaces/fanout/configmaps?watch=1&resourceVersion=${rv}`, () => latencies.push(performance.now() - writeStarted)),
      );
      await sleep(ctx.quick ? 500 : 2000);
      const encodedBefore = await encoded('json');
      const cpuBefore = await sample(agent, base, 'process_cpu_seconds_total');
      ctx.log(`watch-fanout: ${watchers} watchers, ${writes} writes`);
      for (let i = 0; i < writes; i++) {
        writeStarted = performance.now();
        const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}` }, data: { v: 'x'.repeat(1024) } };
        await call(agent, base, 'POST', '/api/v1/namespaces/fanout/configmaps', body);
        await Promise.all(fan.map((w) => w.until(i + 1)));
      }
      // The server's CPU per write delivered to every watcher (less noisy than latency on a busy machine).
      const cpuPerWrite = (((await sample(agent, base, 'process_cpu_seconds_total')) - cpuBefore) * 1000) / writes;
      const perEvent = ((await encoded('json')) - encodedBefore) / writes;
      for (const w of fan) w.close();
      latencies.sort((a, b) => a - b);
      rows.push({ metric: `1 write → ${watchers} watchers, delivery p50 (HTTP JSON)`, value: percentile(latencies, 50), unit: 'ms' });
      rows.push({ metric: `1 write → ${watchers} watchers, delivery p99 (HTTP JSON)`, value: percentile(latencies, 99), unit: 'ms', target: { on: 'value', op: '<=', bound: 50 } });
      rows.push({ metric: `1 write → ${watchers} watchers, server CPU per write`, value: cpuPerWrite, unit: 'ms' });
      rows.push({ metric: `1 write → ${watchers} watchers, JSON encodes per event`, value: perEvent, unit: 'count', target: { on: 'value', op: '<=', bound: 1 } });
    }
    if (!parts.has('http') && !parts.has('grpc')) return rows;

    // The storm: N × 110 KB, then `watchers` watches without resourceVersion at once.
    await ns('storm');
    const big = 'x'.repeat(110 * 1024);
    for (let i = 0; i < objects; i++) {
      await call(agent, base, 'POST', '/api/v1/namespaces/storm/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { v: big } });
    }
    const size = `${((objects * 110) / 1000).toFixed(1)} MB`;
    const storm = async (transport: 'HTTP' | 'gRPC'): Promise<void> => {
      await sleep(1000);
      const rssBefore = await sample(agent, base, 'process_resident_memory_bytes');
      const peak = peakRss(agent, base);
      const sessions =
        transport === 'gRPC'
          ? Array.from({ length: 16 }, () => {
              const s = http2.connect(`http://${server.grpcAddress}`, { settings: { initialWindowSize: 16 * MiB } });
              s.on('connect', () => s.setLocalWindowSize(256 * MiB));
              s.on('error', () => undefined);
              return s;
            })
          : [];
      const started = performance.now();
      const all = Array.from({ length: watchers }, (_, i) =>
        transport === 'HTTP' ? httpWatch(agent, base, '/api/v1/namespaces/storm/configmaps?watch=1') : grpcWatch(sessions[i % sessions.length] as http2.ClientHttp2Session, 'storm'),
      );
      await Promise.all(all.map((w) => w.until(objects)));
      const elapsed = performance.now() - started;
      const rssPeak = Math.max(await peak.stop(), await sample(agent, base, 'process_resident_memory_bytes'));
      for (const w of all) w.close();
      for (const s of sessions) s.close();
      await sleep(5000);
      const rssAfter = await sample(agent, base, 'process_resident_memory_bytes');
      rows.push({ metric: `${watchers} watches, no resourceVersion, ${size} (${transport}): all answered`, value: elapsed, unit: 'ms', target: { on: 'value', op: '<=', bound: 10_000 } });
      rows.push({ metric: `${watchers} watches, no resourceVersion, ${size} (${transport}): memory growth`, value: (rssPeak - rssBefore) / MiB, unit: 'MiB', target: { on: 'value', op: '<=', bound: 1024 } });
      rows.push({ metric: `${watchers} watches, no resourceVersion, ${size} (${transport}): memory kept 5 s after`, value: (rssAfter - rssBefore) / MiB, unit: 'MiB' });
    };
    const encodedJson = await encoded('json');
    const encodedGrpc = await encoded('grpc');
    ctx.log(`watch-fanout: storm over HTTP (${watchers} × ${objects} × 110 KB)`);
    if (parts.has('http')) await storm('HTTP');
    ctx.log(`watch-fanout: storm over gRPC`);
    if (parts.has('grpc')) await storm('gRPC');
    rows.push({ metric: `storm: JSON encodes of the initial state (${objects} objects)`, value: (await encoded('json')) - encodedJson, unit: 'count', target: { on: 'value', op: '<=', bound: objects } });
    rows.push({ metric: `storm: gRPC encodes of the initial state (${objects} objects)`, value: (await encoded('grpc')) - encodedGrpc, unit: 'count', target: { on: 'value', op: '<=', bound: objects } });
  } finally {
    agent.destroy();
    await server.stop();
  }
  return rows;
}

/** Run alone: a server process of its own, the rows printed. */
async function standalone(): Promise<void> {
  const dirs: string[] = [];
  const ctx: FanoutContext = {
    quick: process.env.BENCH_QUICK === '1',
    log: (m) => process.stderr.write(`[bench] ${m}\n`),
    async startServer(args) {
      const dir = await mkdtemp(join(tmpdir(), 'wheelhouse-bench-'));
      dirs.push(dir);
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cmd/wheelhouse.ts', '--port', '0', '--grpc-port', '0', '--compaction-interval', '0', '--data-dir', dir, ...args], {
        cwd: new URL('..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      return new Promise((resolve, reject) => {
        child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const h = /HTTP API:\s+(\S+)/.exec(out);
          const g = /gRPC:\s+(\S+)/.exec(out);
          if (!h?.[1] || !g?.[1]) return;
          resolve({
            url: h[1],
            grpcAddress: g[1],
            async stop() {
              child.removeAllListeners('exit');
              if (child.exitCode !== null) return;
              const exited = new Promise((r) => child.once('exit', r));
              child.kill('SIGTERM');
              await exited;
            },
          });
        });
      });
    },
  };
  try {
    for (const row of await run(ctx)) {
      const target = row.target ? ` (target ${row.target.op} ${row.target.bound})` : '';
      process.stdout.write(`${row.metric}: ${row.value.toFixed(row.unit === 'count' ? 0 : 1)} ${row.unit}${target}\n`);
    }
  } finally {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await standalone();
