/**
 * Whole LISTs, gRPC beside HTTP JSON (issue 10, item 5): every ConfigMap of a namespace of
 * 1 000 and one of 10 000 (1 KiB each) in one reply, no limit, on one TLS server (embedded
 * store, served from the watch cache). One list at a time: the time per list includes the
 * client's decode (the generated protobuf decoder; JSON.parse), as a component's re-list pays
 * it. gRPC on ONE channel with an unlimited receive size; HTTP on a keep-alive HTTPS socket.
 * Rounds alternate the two transports; p50, the slowest list and the server process's CPU per
 * list (from /proc) are reported.
 */
import type { BenchContext, Row } from './context.js';
import { configMapClient, httpsClient, seedConfigMaps, unary, versusRows } from './grpc.js';
import { type Figures, measure, processCpuMicros } from './measure.js';

export async function run(ctx: BenchContext): Promise<Row[]> {
  const server = await ctx.startServer([], { tls: true });
  const grpc = configMapClient(server);
  const http = httpsClient(server, 1);
  const rows: Row[] = [];
  try {
    for (const count of ctx.quick ? [1000, 2000] : [1000, 10_000]) {
      const namespace = `bench-list-${count}`;
      ctx.log(`grpc-list: seeding ${count} ConfigMaps`);
      await seedConfigMaps(server, namespace, 'cm', count);
      const url = new URL(`${server.url}/api/v1/namespaces/${namespace}/configmaps`);
      const viaHttp = async (): Promise<void> => {
        const res = await http.send(url, 'GET');
        if (res.status !== 200) throw new Error(`LIST failed: ${res.status} ${res.text.slice(0, 200)}`);
        const items = (JSON.parse(res.text) as { items: unknown[] }).items.length;
        if (items !== count) throw new Error(`HTTP LIST returned ${items} items, not ${count}`);
      };
      const viaGrpc = async (): Promise<void> => {
        const list = await unary<{ items: unknown[] }>((cb) => grpc.list({ namespace }, cb));
        if (list.items.length !== count) throw new Error(`gRPC List returned ${list.items.length} items, not ${count}`);
      };
      const lists = count >= 10_000 ? 5 : 20;
      const opts = { requests: ctx.quick ? 3 : lists, concurrency: 1, warmup: 2, cpu: () => processCpuMicros(server.child.pid ?? 0) };
      const rounds = ctx.quick ? 1 : 3;
      const httpRounds: Figures[] = [];
      const grpcRounds: Figures[] = [];
      for (let r = 0; r < rounds; r++) {
        ctx.log(`grpc-list: ${count} ConfigMaps, round ${r + 1}/${rounds}, ${opts.requests} lists each way`);
        httpRounds.push(await measure('HTTP JSON', viaHttp, opts));
        grpcRounds.push(await measure('gRPC', viaGrpc, opts));
      }
      rows.push(...versusRows(`LIST ${count} ConfigMaps (1 KiB)`, pooled(httpRounds), pooled(grpcRounds), [
        { key: 'p50', label: 'ms per list p50', unit: 'ms' },
        { key: 'p99', label: 'ms per list, slowest', unit: 'ms' },
        { key: 'cpu', label: 'server CPU per list', unit: 'ms' },
      ]));
    }
  } finally {
    grpc.close();
    http.close();
    await server.stop();
  }
  return rows;
}

/**
 * One scenario's rounds as one: the median of their p50s, the worst of their slowest lists, and
 * the server's mean CPU per list (milliseconds).
 */
function pooled(rounds: Figures[]): { p50: number; p99: number; cpu: number } {
  const p50s = rounds.map((r) => r.p50).sort((a, b) => a - b);
  return {
    p50: p50s[Math.floor((p50s.length - 1) / 2)] ?? 0,
    p99: Math.max(...rounds.map((r) => r.p99)),
    cpu: rounds.reduce((s, r) => s + (r.cpuPerOp ?? NaN), 0) / rounds.length / 1000,
  };
}
