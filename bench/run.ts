/**
 * `npm run bench`: every registered benchmark in one run, printed as one table and as a
 * plot-ready CSV (on stdout after the table, and in `bench/results.csv`). Each row is one
 * figure; a figure with a baseline was compared with it in the same run through the same
 * client library, and the target sits beside it.
 *
 * Registering a benchmark: a file under `bench/` exporting
 * `async function run(ctx: BenchContext): Promise<Row[]>` (see `context.ts`), and one line in
 * BENCHES below.
 *
 * Environment: BENCH_QUICK=1 (a short smoke run), BENCH_ONLY=name[,name] (only those benchmarks),
 * BENCH_REQUESTS (per throughput scenario, default 4000; quick 300), BENCH_CONCURRENCY (default 64),
 * BENCH_CSV (where the CSV goes, default bench/results.csv; empty: nowhere),
 * BENCH_CPU_PROF=DIR (a V8 CPU profile of every server process).
 */
import { writeFile } from 'node:fs/promises';
import { run as cacheMemory } from './cache-memory.js';
import { createContext, type BenchContext, type Row } from './context.js';
import { run as grpcGet } from './grpc-get.js';
import { run as grpcList } from './grpc-list.js';
import { run as grpcWatchFanout } from './grpc-watch-fanout.js';
import { csv, table, withRatios } from './report.js';
import { run as informerMemory } from './informer-memory.js';
import { run as listEncoding } from './list-encoding.js';
import { run as listSelector } from './list-selector.js';
import { run as mixedLoad } from './mixed-load.js';
import { run as readPath } from './read-path.js';
import { run as watchFanout } from './watch-fanout.js';
import { run as writePath } from './write-path.js';

export type { BenchContext, Row, Target } from './context.js';

/** Every benchmark of `npm run bench`, in the order run. One line each. */
const BENCHES: { name: string; run: (ctx: BenchContext) => Promise<Row[]> }[] = [
  { name: 'write', run: writePath },
  { name: 'read', run: readPath },
  { name: 'mixed', run: mixedLoad },
  { name: 'cache-memory', run: cacheMemory },
  { name: 'list-selector', run: listSelector },
  { name: 'list-encoding', run: listEncoding },
  { name: 'watch-fanout', run: watchFanout },
  { name: 'grpc-get', run: grpcGet },
  { name: 'grpc-list', run: grpcList },
  { name: 'grpc-watch-fanout', run: grpcWatchFanout },
  { name: 'informer-memory', run: informerMemory },
];

/** Runs the selected benchmarks; the ratio of every row with a baseline is filled in. */
export async function runBenches(opts: { quick: boolean; only?: string[]; requests?: number; concurrency?: number }): Promise<Row[]> {
  const ctx = createContext({ quick: opts.quick, requests: opts.requests ?? (opts.quick ? 300 : 4000), concurrency: opts.concurrency ?? 64 });
  const rows: Row[] = [];
  try {
    for (const bench of BENCHES) {
      if (opts.only && !opts.only.includes(bench.name)) continue;
      rows.push(...withRatios(await bench.run(ctx)));
    }
  } finally {
    await ctx.close();
  }
  return rows;
}

{
  // The bench itself (this file is its entry point).
  const quick = process.env.BENCH_QUICK === '1';
  const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((s) => s.trim()) : undefined;
  const rows = await runBenches({
    quick,
    ...(only ? { only } : {}),
    ...(process.env.BENCH_REQUESTS ? { requests: Number(process.env.BENCH_REQUESTS) } : {}),
    ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
  });
  const text = csv(rows);
  process.stdout.write(`\n${table(rows)}\n\n--- CSV ---\n${text}--- end CSV ---\n`);
  const path = process.env.BENCH_CSV ?? new URL('results.csv', import.meta.url).pathname;
  if (path) await writeFile(path, text);
}
