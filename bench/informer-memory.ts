/**
 * The SDK informer's memory per cached object (issue 10, item 5): an Informer over 10 000
 * 1 KiB ConfigMaps of a TLS server, its heap after full collections (V8 heap plus
 * ArrayBuffers, `informer-memory-measure.ts` in a process of its own with `--expose-gc`)
 * divided by the objects cached, beside the raw JSON the HTTP API serves per object (each
 * item of the same namespace's LIST, serialized alone); and the time its initial sync took.
 */
import { spawn } from 'node:child_process';
import type { BenchContext, Row } from './context.js';
import { httpsClient, seedConfigMaps } from './grpc.js';

interface Measured {
  objects: number;
  heapUsedDelta: number;
  arrayBuffersDelta: number;
  syncMs: number;
}

const NAMESPACE = 'bench-informer';
const EMPTY = 'bench-informer-empty';

export async function run(ctx: BenchContext): Promise<Row[]> {
  const count = ctx.quick ? 2000 : 10_000;
  const server = await ctx.startServer([], { tls: true });
  try {
    ctx.log(`informer-memory: seeding ${count} ConfigMaps`);
    await seedConfigMaps(server, NAMESPACE, 'cm', count);
    await seedConfigMaps(server, EMPTY, 'cm', 0);
    const http = httpsClient(server, 1);
    const listed = await http.send(new URL(`${server.url}/api/v1/namespaces/${NAMESPACE}/configmaps`), 'GET').finally(() => http.close());
    const items = (JSON.parse(listed.text) as { items: unknown[] }).items;
    if (items.length !== count) throw new Error(`LIST returned ${items.length} ConfigMaps, not ${count}`);
    const jsonBytes = items.reduce<number>((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)), 0) / count;

    ctx.log('informer-memory: informer heap per object (own process)');
    const script = new URL('informer-memory-measure.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, BENCH_INFORMER_SERVER: server.grpcAddress, BENCH_INFORMER_TLS: JSON.stringify(server.credentials), BENCH_INFORMER_NAMESPACE: NAMESPACE, BENCH_INFORMER_EMPTY: EMPTY },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (code !== 0 || !line) throw new Error(`informer-memory-measure.ts exited with ${code}: ${out}`);
    const m = JSON.parse(line) as Measured;
    if (m.objects !== count) throw new Error(`the informer cached ${m.objects} ConfigMaps, not ${count}`);
    const label = `${count} ConfigMaps, 1 KiB data`;
    return [
      { metric: `informer heap per cached object (${label})`, value: (m.heapUsedDelta + m.arrayBuffersDelta) / count, unit: 'bytes', baseline: { name: 'raw JSON bytes per object', value: jsonBytes } },
      { metric: `informer initial sync (${label}, gRPC, pages of 500)`, value: m.syncMs, unit: 'ms' },
    ];
  } finally {
    await server.stop();
  }
}
