/**
 * A LIST of 10 000 Pods with a label selector matching 30 of them (p50), from the watch cache
 * and, as the same-run baseline, from the store (`--watch-cache=false`), on the embedded store
 * and on etcd. Every Pod carries `app=app-<i mod 333>`, so `app=app-7` selects 30.
 */
import type { BenchContext, Row } from './context.js';
import { httpClient } from './context.js';

const SELECTED = 30;

function pod(i: number, groups: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${i}`, labels: { app: `app-${i % groups}`, tier: 'front' } },
    spec: { nodeName: `node-${i % 100}`, containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
  };
}

async function fill(url: string, count: number, groups: number): Promise<void> {
  const http = httpClient(64);
  const target = new URL(`${url}/api/v1/namespaces/default/pods`);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < count) {
          const i = next++;
          const res = await http.send(target, 'POST', JSON.stringify(pod(i, groups)));
          if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text.slice(0, 200)}`);
        }
      }),
    );
  } finally {
    http.close();
  }
}

async function p50(url: string, path: string, runs: number, expect: number): Promise<number> {
  const http = httpClient(1);
  const times: number[] = [];
  try {
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const res = await http.send(new URL(`${url}${path}`), 'GET');
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`list failed: ${res.status}`);
      const items = (JSON.parse(res.text) as { items: unknown[] }).items.length;
      if (items !== expect) throw new Error(`expected ${expect} items, got ${items}`);
      if (i >= 3) times.push(ms);
    }
  } finally {
    http.close();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function run(ctx: BenchContext): Promise<Row[]> {
  const count = ctx.quick ? 1000 : 10_000;
  const groups = Math.floor(count / SELECTED);
  const runs = ctx.quick ? 5 : 30;
  const matching = Math.floor((count - 1 - 7) / groups) + 1;
  const rows: Row[] = [];
  for (const store of ['embedded', 'etcd'] as const) {
    const storeArgs = store === 'etcd' ? ['--etcd-servers', (await ctx.etcd()).endpoint, '--etcd-prefix', `/bench-sel-${Date.now()}`] : [];
    const figures: Record<string, number> = {};
    // The same data dir (or etcd prefix) served with the cache, then without it.
    const dataDir = await ctx.tempDir();
    for (const mode of ['cache', 'store'] as const) {
      const server = await ctx.startServer([...storeArgs, '--data-dir', dataDir, ...(mode === 'store' ? ['--watch-cache=false'] : [])]);
      try {
        if (mode === 'cache') {
          ctx.log(`list-selector: creating ${count} Pods (${store})`);
          await fill(server.url, count, groups);
        }
        figures[mode] = await p50(server.url, `/api/v1/pods?labelSelector=app%3Dapp-7`, runs, matching);
      } finally {
        await server.stop();
      }
    }
    rows.push({
      metric: `LIST ${count} Pods, label selector matching ${matching}, p50 (${store}, watch cache)`,
      value: figures.cache!,
      unit: 'ms',
      baseline: { name: 'the same LIST from the store (--watch-cache=false)', value: figures.store! },
      target: { on: 'value', op: '<=', bound: 20 },
    });
  }
  return rows;
}
