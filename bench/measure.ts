/** The closed-loop measurement every benchmark here uses: N operations by C concurrent workers. */

/** Throughput and latency of one scenario. */
export interface Figures {
  name: string;
  opsPerSec: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
}

/** Runs `op(0 … requests-1)` with `concurrency` workers after `warmup` calls with negative indexes. */
export async function measure(
  name: string,
  op: (i: number) => Promise<unknown>,
  opts: { requests: number; concurrency: number; warmup?: number },
): Promise<Figures> {
  for (let i = 0; i < (opts.warmup ?? 0); i++) await op(-1 - i);
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.requests) {
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
  return { name, opsPerSec: opts.requests / elapsed, p50: pct(0.5), p99: pct(0.99) };
}
