/** The closed-loop measurement every benchmark here uses: N operations by C concurrent workers. */

/** Throughput and latency of one scenario. */
export interface Figures {
  name: string;
  opsPerSec: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  /** CPU microseconds per timed operation of the process `cpu` samples, when given. */
  cpuPerOp?: number;
}

/**
 * Runs `op(0 … requests-1)` with `concurrency` workers after `warmup` calls with negative indexes;
 * `cpu` (a process's CPU time so far, in microseconds) is sampled around the timed calls.
 */
export async function measure(
  name: string,
  op: (i: number) => Promise<unknown>,
  opts: { requests: number; concurrency: number; warmup?: number; cpu?: () => number },
): Promise<Figures> {
  for (let i = 0; i < (opts.warmup ?? 0); i++) await op(-1 - i);
  const cpu0 = opts.cpu?.();
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
  const cpuPerOp = opts.cpu && cpu0 !== undefined ? (opts.cpu() - cpu0) / opts.requests : undefined;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { name, opsPerSec: opts.requests / elapsed, p50: pct(0.5), p99: pct(0.99), ...(cpuPerOp !== undefined ? { cpuPerOp } : {}) };
}
