import { startTestServer } from '../test/helpers/server.js';
import { DEFAULT_USER } from '../src/endpoints/api-call.js';
import { encodeBody } from '../src/endpoints/response/encode.js';
const ts = await startTestServer();
const base = `${ts.server.url}/api/v1/namespaces/default/configmaps`;
for (let i = 0; i < 256; i++) await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: `get-${i}` }, data: { v: 'x'.repeat(1024) } }) });
const h = ts.server.handler;
const served = ts.server.catalog.resource('', 'v1', 'configmaps')!.definition;
async function run(n: number) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const ac = new AbortController();
    const r = await h({ action: { method: 'GET', watch: false }, group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: `get-${i % 256}`, credentials: {} as never, options: {}, user: DEFAULT_USER, signal: ac.signal });
    if (r.type === 'object') { if (r.memo) { const v = 'application/json /v1/configmaps'; r.memo.get(v) ?? r.memo.put(v, encodeBody('application/json', r.object, served)); } else encodeBody('application/json', r.object, served); }
  }
  return ((performance.now() - t0) * 1000) / n;
}
await run(5000);
console.log('pipeline µs/GET', (await run(20000)).toFixed(1), (await run(20000)).toFixed(1));
await ts.stop();
