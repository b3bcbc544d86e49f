/**
 * Single-object reads: GET of a 1 KiB ConfigMap through the HTTP API over etcd and on the
 * embedded store, against a bare `node:http` hello-world (its own process, as the server is)
 * through the same keep-alive client at the same concurrency.
 */
import { spawn } from 'node:child_process';
import { configMap, httpClient, type BenchContext, type Row, type ServerProcess } from './context.js';
import { type Figures, measure } from './measure.js';

const HELLO = `
const http = require('node:http');
const s = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('hello world'); });
s.keepAliveTimeout = 65000;
s.listen(0, '127.0.0.1', () => process.stdout.write('listening ' + s.address().port + '\\n'));
`;

async function helloWorld(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', HELLO], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`hello-world exited with ${code}`)));
    child.stdout.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m?.[1]) resolve(m[1]);
    });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      child.removeAllListeners('exit');
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function gets(ctx: BenchContext, name: string, url: (i: number) => URL): Promise<Figures> {
  const client = httpClient(ctx.concurrency);
  ctx.log(name);
  return measure(
    name,
    async (i) => {
      const res = await client.send(url(i), 'GET');
      if (res.status !== 200) throw new Error(`GET failed: ${res.status} ${res.text}`);
    },
    { requests: ctx.requests * 2, concurrency: ctx.concurrency, warmup: ctx.quick ? 20 : 200 },
  ).finally(() => client.close());
}

const OBJECTS = 256;

async function serverGets(ctx: BenchContext, server: ServerProcess, name: string): Promise<Figures> {
  const client = httpClient(16);
  const base = `${server.url}/api/v1/namespaces/default/configmaps`;
  try {
    await Promise.all(
      Array.from({ length: OBJECTS }, async (_, i) => {
        const res = await client.send(new URL(base), 'POST', JSON.stringify(configMap('get', i)));
        if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${res.text}`);
      }),
    );
  } finally {
    client.close();
  }
  const urls = Array.from({ length: OBJECTS }, (_, i) => new URL(`${base}/get-${i}`));
  return gets(ctx, name, (i) => urls[((i % OBJECTS) + OBJECTS) % OBJECTS]!);
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  const hello = await helloWorld();
  const helloUrl = new URL(hello.url);
  const base = await gets(ctx, 'node:http hello-world GET', () => helloUrl).finally(() => hello.stop());
  const rows: Row[] = [
    { metric: base.name, value: base.opsPerSec, unit: 'ops/s' },
    { metric: `${base.name} p99`, value: base.p99, unit: 'ms' },
  ];
  const target = { on: 'ratio', op: '>=', bound: 0.5 } as const;
  const etcd = await ctx.etcd();
  for (const [label, args] of [
    ['GET over etcd (HTTP JSON)', ['--etcd-servers', etcd.endpoint, '--etcd-prefix', '/bench-get']],
    ['GET on embedded (HTTP JSON)', []],
  ] as const) {
    const server = await ctx.startServer([...args]);
    try {
      const f = await serverGets(ctx, server, label);
      rows.push({ metric: label, value: f.opsPerSec, unit: 'ops/s', baseline: { name: base.name, value: base.opsPerSec }, target });
      rows.push({ metric: `${label} p99`, value: f.p99, unit: 'ms' });
    } finally {
      await server.stop();
    }
  }
  return rows;
}
