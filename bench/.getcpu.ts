// CPU µs per GET in the server process (utime+stime from /proc), hello-world too.
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createContext, configMap, httpClient } from './context.js';
const cpu = (pid: number): number => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10000; };
async function load(url: (i: number) => URL, n: number) {
  const client = httpClient(64); let i = 0;
  await Promise.all(Array.from({ length: 64 }, async () => { while (i < n) { const r = await client.send(url(i++), 'GET'); if (r.status !== 200) throw new Error(String(r.status)); } }));
  client.close();
}
const ctx = createContext({ quick: false, requests: 0, concurrency: 64 });
const N = Number(process.env.N ?? 20000);
try {
  const hello = spawn(process.execPath, ['-e', `const http=require('node:http');const s=http.createServer((q,r)=>{r.writeHead(200,{'content-type':'text/plain'});r.end('hello world')});s.keepAliveTimeout=65000;s.listen(0,'127.0.0.1',()=>process.stdout.write('listening '+s.address().port+'\\n'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((r) => hello.stdout!.on('data', (d: Buffer) => { const m = /listening (\d+)/.exec(d.toString()); if (m) r(m[1]!); }));
  const hu = new URL(`http://127.0.0.1:${port}/`);
  await load(() => hu, 2000); let c0 = cpu(hello.pid!); let t0 = performance.now(); await load(() => hu, N);
  console.log(`hello: ${((cpu(hello.pid!) - c0) / N).toFixed(1)} µs/req cpu, ${(N / ((performance.now() - t0) / 1000)).toFixed(0)} ops/s`); hello.kill();
  const args = process.env.ETCD ? ['--etcd-servers', (await ctx.etcd()).endpoint, '--etcd-prefix', '/x'] : [];
  const s = await ctx.startServer(args);
  const base = `${s.url}/api/v1/namespaces/default/configmaps`;
  const c = httpClient(16);
  await Promise.all(Array.from({ length: 256 }, (_, i) => c.send(new URL(base), 'POST', JSON.stringify(configMap('get', i)))));
  c.close();
  const urls = Array.from({ length: 256 }, (_, i) => new URL(`${base}/get-${i}`));
  await load((i) => urls[i % 256]!, 3000);
  c0 = cpu(s.child.pid!); t0 = performance.now(); await load((i) => urls[i % 256]!, N);
  console.log(`server GET: ${((cpu(s.child.pid!) - c0) / N).toFixed(1)} µs/req cpu, ${(N / ((performance.now() - t0) / 1000)).toFixed(0)} ops/s`);
} finally { await ctx.close(); }
