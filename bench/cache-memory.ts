/**
 * The watch cache's heap per object against the object's stored bytes, as rows of the run:
 * `watch-cache-memory.ts` measured in a process of its own (it needs `--expose-gc`).
 */
import { spawn } from 'node:child_process';
import type { BenchContext, Row } from './context.js';

interface Measured {
  resource: string;
  objects: number;
  storedBytes: number;
  heapDelta: number;
  fillMs: number;
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  ctx.log('watch cache heap per object (own process)');
  const script = new URL('watch-cache-memory.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, BENCH_QUICK: ctx.quick ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`watch-cache-memory.ts exited with ${code}`);
  const rows: Row[] = [];
  for (const line of out.split('\n').filter((l) => l.startsWith('{'))) {
    const m = JSON.parse(line) as Measured;
    const label = `${m.objects} ${m.resource}`;
    rows.push({
      metric: `watch cache heap per object (${label})`,
      value: m.heapDelta / m.objects,
      unit: 'bytes',
      baseline: { name: 'stored bytes per object', value: m.storedBytes / m.objects },
      target: { on: 'ratio', op: '<=', bound: 2 },
    });
    rows.push({ metric: `watch cache fill (${label})`, value: m.fillMs, unit: 'ms' });
  }
  return rows;
}
