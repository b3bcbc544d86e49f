/**
 * Watch fan-out, gRPC beside HTTP JSON (issue 10, item 5): 1 000 watchers of one namespace, then
 * one write (a 1 KiB ConfigMap created over HTTP) at a time; the figure is the time from the
 * write's start until the LAST watcher has decoded its event, with the per-watcher delivery p50
 * and p99 and the server process's CPU per write. One TLS server; the transports take turns on
 * namespaces of their own. gRPC: every watch a stream of ONE channel (the generated client,
 * decoding each event); HTTP: every watch a keep-alive HTTPS connection of its own (HTTP/1.1
 * has no other way), each line JSON.parse'd. A first write is delivered before any is timed,
 * so every watch is established and warm.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { BenchContext, Row, ServerProcess } from './context.js';
import { configMap } from './context.js';
import { configMapClient, httpsClient, versusRows } from './grpc.js';
import { percentile, processCpuMicros } from './measure.js';

/** Arrival times of each written object's event at every watcher. */
class Arrivals {
  private readonly started = new Map<string, number>();
  private readonly seen = new Map<string, number[]>();
  private readonly waiters = new Map<string, () => void>();

  constructor(private readonly watchers: number) {}

  /** A watcher decoded the ADDED event of `name`. */
  saw(name: string): void {
    const at = performance.now() - (this.started.get(name) ?? NaN);
    const times = this.seen.get(name) ?? [];
    times.push(at);
    this.seen.set(name, times);
    if (times.length === this.watchers) this.waiters.get(name)?.();
  }

  /** Runs `write` for `name` and resolves with each watcher's delivery latency (ms) once all have it. */
  async deliver(name: string, write: () => Promise<void>, deadlineMs: number): Promise<number[]> {
    const all = new Promise<void>((resolve) => this.waiters.set(name, resolve));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name}: ${this.seen.get(name)?.length ?? 0} of ${this.watchers} watchers saw it within ${deadlineMs} ms`)), deadlineMs);
    });
    this.started.set(name, performance.now());
    try {
      await write();
      await Promise.race([all, late]);
    } finally {
      clearTimeout(timer);
    }
    return this.seen.get(name)!;
  }
}

/** `watchers` watches through `open`, `writes` timed writes; the figures of one transport. */
async function fanout(
  server: ServerProcess,
  namespace: string,
  watchers: number,
  writes: number,
  open: (arrivals: Arrivals, resourceVersion: string) => Promise<() => void>,
): Promise<{ allSaw: number; p50: number; p99: number; cpu: number }> {
  const writer = httpsClient(server, 1);
  let close: (() => void) | undefined;
  try {
    const ns = await writer.send(new URL(`${server.url}/api/v1/namespaces`), 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
    if (ns.status !== 201) throw new Error(`namespace ${namespace}: ${ns.status} ${ns.text}`);
    const url = new URL(`${server.url}/api/v1/namespaces/${namespace}/configmaps`);
    const listed = await writer.send(url, 'GET');
    const rv = String((JSON.parse(listed.text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    const arrivals = new Arrivals(watchers);
    close = await open(arrivals, rv);
    const create = (name: string) => async (): Promise<void> => {
      const res = await writer.send(url, 'POST', JSON.stringify({ ...configMap('w', 0), metadata: { name } }));
      if (res.status !== 201) throw new Error(`write ${name}: ${res.status} ${res.text}`);
    };
    await arrivals.deliver('warm-up', create('warm-up'), 120_000);
    const allSaw: number[] = [];
    const latencies: number[] = [];
    const cpu0 = processCpuMicros(server.child.pid ?? 0);
    for (let i = 0; i < writes; i++) {
      const seen = await arrivals.deliver(`w-${i}`, create(`w-${i}`), 60_000);
      allSaw.push(Math.max(...seen));
      latencies.push(...seen);
    }
    const cpu = (processCpuMicros(server.child.pid ?? 0) - cpu0) / writes / 1000;
    allSaw.sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    return { allSaw: percentile(allSaw, 0.5), p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), cpu };
  } finally {
    close?.();
    writer.close();
  }
}

/** HTTP JSON watches, one HTTPS connection each; each line decoded. */
function httpWatches(server: ServerProcess, namespace: string, watchers: number): (arrivals: Arrivals, rv: string) => Promise<() => void> {
  return async (arrivals, rv) => {
    const client = httpsClient(server, watchers);
    const url = new URL(`${server.url}/api/v1/namespaces/${namespace}/configmaps?watch=1&resourceVersion=${rv}`);
    const streams = Array.from({ length: watchers }, () => {
      let rest = '';
      return client.stream(url, (chunk) => {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          const ev = JSON.parse(line) as { type: string; object?: { metadata?: { name?: string } } };
          if (ev.type === 'ADDED' && ev.object?.metadata?.name) arrivals.saw(ev.object.metadata.name);
        }
      });
    });
    const statuses = await Promise.all(streams.map((s) => s.response));
    if (statuses.some((s) => s !== 200)) throw new Error(`HTTP watches answered ${[...new Set(statuses)].join(', ')}`);
    return () => {
      for (const s of streams) s.close();
      client.close();
    };
  };
}

/** gRPC watches, every one a stream of the same channel; each event decoded by the generated code. */
function grpcWatches(server: ServerProcess, namespace: string, watchers: number): (arrivals: Arrivals, rv: string) => Promise<() => void> {
  return async (arrivals, rv) => {
    const client = configMapClient(server);
    const streams: ClientReadableStream<{ type?: string; object?: { metadata?: { name?: string } } }>[] = [];
    for (let i = 0; i < watchers; i++) {
      const stream = client.watch({ namespace, options: { resourceVersion: rv } });
      stream.on('data', (ev: { type?: string; object?: { metadata?: { name?: string } } }) => {
        if (ev.type === 'ADDED' && ev.object?.metadata?.name) arrivals.saw(ev.object.metadata.name);
      });
      stream.on('error', () => undefined);
      streams.push(stream);
    }
    return () => {
      for (const s of streams) s.cancel();
      client.close();
    };
  };
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  const watchers = ctx.quick ? 100 : 1000;
  const writes = ctx.quick ? 3 : 15;
  const server = await ctx.startServer([], { tls: true });
  try {
    ctx.log(`grpc-watch-fanout: ${watchers} HTTP JSON watchers, ${writes} writes`);
    const http = await fanout(server, 'fanout-http', watchers, writes, httpWatches(server, 'fanout-http', watchers));
    ctx.log(`grpc-watch-fanout: ${watchers} gRPC watchers on one channel, ${writes} writes`);
    const grpc = await fanout(server, 'fanout-grpc', watchers, writes, grpcWatches(server, 'fanout-grpc', watchers));
    return versusRows(`1 write → ${watchers} watchers`, http, grpc, [
      { key: 'allSaw', label: 'until all saw it (median of writes)', unit: 'ms' },
      { key: 'p50', label: 'delivery p50', unit: 'ms' },
      { key: 'p99', label: 'delivery p99', unit: 'ms' },
      { key: 'cpu', label: 'server CPU per write', unit: 'ms' },
    ]);
  } finally {
    await server.stop();
  }
}
