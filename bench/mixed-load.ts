/**
 * 200 clients of mixed get/list/create/update for 30 s (BENCH_QUICK: 5 s) on each store:
 * errors (a non-2xx answer or none within 10 s), single-object p99, list p99 (limit 100).
 * After an uncounted warm-up (3 s; quick: 1 s), each client loops: 45 % GET, 10 % LIST, 25 % create, 20 % update (PUT without resourceVersion).
 */
import { configMap, httpClient, type BenchContext, type Row, type ServerProcess } from './context.js';

const CLIENTS = 200;
const SEED = 500;
const TIMEOUT_MS = 10_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function mixed(ctx: BenchContext, server: ServerProcess, label: string): Promise<Row[]> {
  const client = httpClient(CLIENTS);
  const base = `${server.url}/api/v1/namespaces/default/configmaps`;
  await Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      for (let i = w; i < SEED; i += 16) {
        const res = await client.send(new URL(base), 'POST', JSON.stringify(configMap('seed', i)));
        if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${res.text}`);
      }
    }),
  );
  const seconds = ctx.quick ? 5 : 30;
  let single: number[] = [];
  let lists: number[] = [];
  let errors = 0;
  let created = 0;
  let ops = 0;
  const timed = async (op: () => Promise<{ status: number }>, ok: number, into: number[]): Promise<void> => {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ status: number }>((r) => (timer = setTimeout(() => r({ status: 0 }), TIMEOUT_MS)));
    const res = await Promise.race([op().catch(() => ({ status: -1 })), timeout]);
    clearTimeout(timer);
    ops++;
    if (res.status !== ok) errors++;
    into.push(performance.now() - t0);
  };
  const load = (end: number) =>
    Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        let n = 0;
        while (performance.now() < end) {
          const r = (c * 7919 + n++ * 104729) % 100;
          const target = `seed-${(c * 31 + n * 17) % SEED}`;
          if (r < 45) await timed(() => client.send(new URL(`${base}/${target}`), 'GET'), 200, single);
          else if (r < 55) await timed(() => client.send(new URL(`${base}?limit=100`), 'GET'), 200, lists);
          else if (r < 80) await timed(() => client.send(new URL(base), 'POST', JSON.stringify(configMap(`mix-${c}`, created++))), 201, single);
          else {
            const body = { ...configMap('seed', 0), metadata: { name: target, labels: { round: String(n) } } };
            await timed(() => client.send(new URL(`${base}/${target}`), 'PUT', JSON.stringify(body)), 200, single);
          }
        }
      }),
    );
  // A short warm-up (JIT, connections) that is not counted, then the measured run.
  await load(performance.now() + (ctx.quick ? 1000 : 3000));
  single = [];
  lists = [];
  errors = 0;
  ops = 0;
  ctx.log(`${label}: ${CLIENTS} clients for ${seconds} s`);
  await load(performance.now() + seconds * 1000);
  client.close();
  single.sort((a, b) => a - b);
  lists.sort((a, b) => a - b);
  return [
    { metric: `mixed load ${label}: requests`, value: ops, unit: 'count' },
    { metric: `mixed load ${label}: errors`, value: errors, unit: 'count', target: { on: 'value', op: '<=', bound: 0 } },
    { metric: `mixed load ${label}: single-object p99`, value: percentile(single, 0.99), unit: 'ms', target: { on: 'value', op: '<=', bound: 1000 } },
    { metric: `mixed load ${label}: list (limit 100) p99`, value: percentile(lists, 0.99), unit: 'ms', target: { on: 'value', op: '<=', bound: 5000 } },
  ];
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  const etcd = await ctx.etcd();
  const rows: Row[] = [];
  for (const [label, args] of [
    ['over etcd', ['--etcd-servers', etcd.endpoint, '--etcd-prefix', '/bench-mixed']],
    ['on embedded', []],
  ] as const) {
    const server = await ctx.startServer([...args]);
    try {
      rows.push(...(await mixed(ctx, server, label)));
    } finally {
      await server.stop();
    }
  }
  return rows;
}
