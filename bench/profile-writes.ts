/**
 * `BENCH_CPU_PROF=DIR npx tsx bench/profile-writes.ts [etcd|embedded] [http|grpc]`: creates only,
 * against one server, for a CPU profile of the server's write path (summarize it with
 * `node bench/profile-summary.mjs DIR/*.cpuprofile`).
 */
import { createContext } from './context.js';
import { grpcCreates, httpCreates } from './write-path.js';

const [store = 'etcd', transport = 'http'] = process.argv.slice(2);
const ctx = createContext({ quick: false, requests: Number(process.env.BENCH_REQUESTS ?? 6000), concurrency: Number(process.env.BENCH_CONCURRENCY ?? 64) });
try {
  const server = await ctx.startServer(store === 'etcd' ? ['--etcd-servers', (await ctx.etcd()).endpoint] : []);
  const f = await (transport === 'grpc' ? grpcCreates : httpCreates)(ctx, server, `${transport} creates (${store})`, 'p');
  process.stdout.write(`${f.name}: ${f.opsPerSec.toFixed(0)} ops/s p50 ${f.p50.toFixed(1)} ms p99 ${f.p99.toFixed(1)} ms\n`);
} finally {
  await ctx.close();
}
