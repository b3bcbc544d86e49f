/**
 * Single-object reads, gRPC beside HTTP JSON (issue 10, item 5): GET of a 1 KiB ConfigMap at
 * the run's concurrency against one TLS server on the embedded store, the gRPC side on ONE
 * channel (the generated client, every call a stream of the same HTTP/2 connection), the HTTP
 * side on keep-alive HTTPS sockets (one per concurrent client). Both present the admin's client
 * certificate and decode what they receive (protobuf by the generated code, JSON.parse), as a
 * client would. Rounds alternate the two; the round of median throughput is reported, with the
 * server process's CPU per GET in that round (from /proc).
 */
import type { BenchContext, Row } from './context.js';
import { configMapClient, httpsClient, medianRound, seedConfigMaps, unary, versusRows } from './grpc.js';
import { type Figures, measure, processCpuMicros } from './measure.js';

const OBJECTS = 256;
const NAMESPACE = 'bench-grpc-get';

export async function run(ctx: BenchContext): Promise<Row[]> {
  const server = await ctx.startServer([], { tls: true });
  const grpc = configMapClient(server);
  const http = httpsClient(server, ctx.concurrency);
  try {
    await seedConfigMaps(server, NAMESPACE, 'get', OBJECTS);
    const name = (i: number): string => `get-${((i % OBJECTS) + OBJECTS) % OBJECTS}`;
    const urls = Array.from({ length: OBJECTS }, (_, i) => new URL(`${server.url}/api/v1/namespaces/${NAMESPACE}/configmaps/${name(i)}`));
    const viaHttp = async (i: number): Promise<void> => {
      const res = await http.send(urls[((i % OBJECTS) + OBJECTS) % OBJECTS]!, 'GET');
      if (res.status !== 200) throw new Error(`GET failed: ${res.status} ${res.text}`);
      if ((JSON.parse(res.text) as { metadata?: { name?: string } }).metadata?.name !== name(i)) throw new Error('GET returned another object');
    };
    const viaGrpc = async (i: number): Promise<void> => {
      const cm = await unary<{ metadata?: { name?: string } }>((cb) => grpc.get({ namespace: NAMESPACE, name: name(i) }, cb));
      if (cm.metadata?.name !== name(i)) throw new Error('gRPC Get returned another object');
    };
    const opts = { requests: ctx.requests * 2, concurrency: ctx.concurrency, cpu: () => processCpuMicros(server.child.pid ?? 0) };
    // Warm-up at full concurrency: every HTTPS socket has done its handshake, the channel is up, both paths are compiled.
    const warmup = { requests: ctx.concurrency * (ctx.quick ? 2 : 8), concurrency: ctx.concurrency };
    await measure('warm-up', viaHttp, warmup);
    await measure('warm-up', viaGrpc, warmup);
    const rounds = ctx.quick ? 1 : 3;
    const httpRounds: Figures[] = [];
    const grpcRounds: Figures[] = [];
    for (let r = 0; r < rounds; r++) {
      ctx.log(`grpc-get: round ${r + 1}/${rounds}, HTTP JSON then gRPC, ${opts.requests} GETs at c=${opts.concurrency}`);
      httpRounds.push(await measure('HTTP JSON', viaHttp, opts));
      grpcRounds.push(await measure('gRPC', viaGrpc, opts));
    }
    const figures = (f: Figures) => ({ opsPerSec: f.opsPerSec, p50: f.p50, p99: f.p99, cpu: f.cpuPerOp ?? NaN });
    return versusRows(`GET 1 KiB ConfigMap, c=${ctx.concurrency}`, figures(medianRound(httpRounds)), figures(medianRound(grpcRounds)), [
      { key: 'opsPerSec', label: 'throughput', unit: 'ops/s' },
      { key: 'p50', label: 'p50', unit: 'ms' },
      { key: 'p99', label: 'p99', unit: 'ms' },
      { key: 'cpu', label: 'server CPU per GET', unit: 'µs' },
    ]);
  } finally {
    grpc.close();
    http.close();
    await server.stop();
  }
}
