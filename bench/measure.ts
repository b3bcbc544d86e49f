/** The closed-loop measurement every benchmark here uses: N operations by C concurrent workers. */
import { readFileSync } from 'node:fs';

/** CPU time (user + system, microseconds) process `pid` has used so far, from /proc (Linux; clock ticks of 10 ms). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

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

/** The `p` quantile (0…1) of ascending `sorted` milliseconds: the value at ⌊n·p⌋ (0 when empty). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
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
  return { name, opsPerSec: opts.requests / elapsed, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), ...(cpuPerOp !== undefined ? { cpuPerOp } : {}) };
}
