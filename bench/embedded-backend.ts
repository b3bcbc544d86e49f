/**
 * `npx tsx bench/embedded-backend.ts`: raw KvBackend creates (1 KiB values) at
 * concurrency 64 against the embedded store (synchronous=FULL), with group
 * commit (the default) and with one transaction per write (maxWriteBatch 1,
 * the behaviour before group commit). Prints ops/s and p50/p99 latency.
 *
 * Environment: BENCH_REQUESTS (per scenario, default 2000), BENCH_CONCURRENCY (default 64).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBackend } from '../src/storage/embedded/index.js';
import { measure } from './measure.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const VALUE = new TextEncoder().encode('x'.repeat(1024));

async function scenario(name: string, maxWriteBatch: number | undefined): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-bench-kv-'));
  const backend = createEmbeddedBackend(maxWriteBatch === undefined ? { dataDir } : { dataDir, maxWriteBatch });
  try {
    const f = await measure(name, (i) => backend.create(`/registry/configmaps/default/cm-${i}`, VALUE), {
      requests: REQUESTS,
      concurrency: CONCURRENCY,
    });
    return `${name.padEnd(40)} ${f.opsPerSec.toFixed(0).padStart(7)} ops/s   p50 ${f.p50.toFixed(2).padStart(8)} ms   p99 ${f.p99.toFixed(2).padStart(8)} ms`;
  } finally {
    await backend.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const lines = [await scenario('embedded create, group commit', undefined), await scenario('embedded create, one transaction per write', 1)];
process.stdout.write(`\nKvBackend creates, 1 KiB values, ${REQUESTS} per scenario, concurrency ${CONCURRENCY}, synchronous=FULL\n`);
for (const l of lines) process.stdout.write(l + '\n');
