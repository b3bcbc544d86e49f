import { Agent, request } from 'node:http';
import { startTestServer } from '../test/helpers/server.js';
import { encodeBody } from '../src/endpoints/response/encode.js';
import { PROTOBUF } from '../src/endpoints/request/media-type.js';
const ts = await startTestServer();
const NS = 'bl';
await fetch(`${ts.server.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: NS } }) });
const def = ts.server.catalog.resource('', 'v1', 'pods')!.definition;
const pod = (i: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-${i}`, namespace: NS, uid: `u-${i}`, labels: { app: 'web', shard: String(i % 7) }, annotations: { a: String(i) } }, spec: { nodeName: `node-${i % 13}`, containers: [{ name: 'app', image: 'registry.example.com/web:1.2.3', args: ['--port=8080', `--id=${i}`], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] }, status: { phase: 'Running', podIP: `10.1.${(i >> 8) & 255}.${i & 255}` } });
for (let i = 0; i < 10000; i += 200) await Promise.all(Array.from({ length: 200 }, (_, j) => ts.server.backend.create(`/registry/pods/${NS}/web-${i + j}`, encodeBody(PROTOBUF, pod(i + j) as never, def))));
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const url = new URL(`${ts.server.url}/api/v1/namespaces/${NS}/pods`);
const get = (accept: string) => new Promise<number>((resolve, reject) => { const req = request({ host: url.hostname, port: url.port, path: url.pathname, agent, headers: { accept } }, (res) => { let n = 0; res.on('data', (c: Buffer) => (n += c.length)); res.on('end', () => resolve(n)); }); req.on('error', reject); req.end(); });
for (const a of ['application/json', PROTOBUF]) { const t: number[] = []; for (let r = 0; r < 5; r++) { const t0 = performance.now(); await get(a); t.push(Math.round(performance.now() - t0)); } console.log(a, t.join(' ')); }
agent.destroy(); await ts.stop();
