/**
 * The SDK informer's heap per cached object, measured in a process of its own (it needs
 * `--expose-gc`; `bench/informer-memory.ts` runs it): an Informer (wheelhouse/client) over
 * the namespace BENCH_INFORMER_NAMESPACE of the TLS server at BENCH_INFORMER_SERVER, with the
 * credentials in BENCH_INFORMER_TLS (JSON `{ caPem, certPem, keyPem }`). A first informer over
 * the empty BENCH_INFORMER_EMPTY loads the code, opens the channel and warms the decoders, so
 * the heap measured after full collections before and after the second one's initial sync is
 * what its cache (and its open watch) holds. Prints one JSON line.
 */
import { connect, Informer } from '../src/client/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function live(): { heapUsed: number; arrayBuffers: number } {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const tls = JSON.parse(env('BENCH_INFORMER_TLS')) as { caPem: string; certPem: string; keyPem: string };
const cs = connect({ server: env('BENCH_INFORMER_SERVER'), ...tls });
const ac = new AbortController();
try {
  const warm = new Informer(cs.coreV1.configMaps, { namespace: env('BENCH_INFORMER_EMPTY') });
  warm.start(ac.signal);
  await warm.waitForSync(ac.signal);
  const before = live();
  const informer = new Informer(cs.coreV1.configMaps, { namespace: env('BENCH_INFORMER_NAMESPACE') });
  const started = performance.now();
  informer.start(ac.signal);
  await informer.waitForSync(ac.signal);
  const syncMs = performance.now() - started;
  const after = live();
  const objects = informer.store.list().length;
  console.log(JSON.stringify({ objects, heapUsedDelta: after.heapUsed - before.heapUsed, arrayBuffersDelta: after.arrayBuffers - before.arrayBuffers, syncMs: Math.round(syncMs) }));
} finally {
  ac.abort();
  cs.close();
}
