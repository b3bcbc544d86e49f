/**
 * Everything at once against a server running as its own process: hostile bodies, paths,
 * raw-socket garbage and watch churn interleaved with real writes. The process must still be
 * running afterwards, /healthz must answer, and every acknowledged write must be readable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connectRaw, httpClient } from '../helpers/raw-http.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { assertHealthy, rawExchange, request, type Target } from './helpers.js';
import { OPEN_ACCESS_FLAGS } from '../helpers/server.js';

const CM = '/api/v1/namespaces/default/configmaps';
const deep = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

/** One hostile request of each kind, by index; answers are only required not to be 5xx. */
function hostile(target: Target, i: number): Promise<number> {
  const kinds: Array<() => Promise<number>> = [
    () => request(target, 'POST', CM, '['.repeat(5000) + ']'.repeat(5000), { 'content-type': 'application/yaml' }).then((r) => r.status),
    () => request(target, 'POST', CM, `{"metadata":{"name":"x","managedFields":[{"fieldsV1":${deep(5000)}}]}}`).then((r) => r.status),
    () => request(target, 'POST', CM, Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0xff, 0x01, 0x02])]), { 'content-type': 'application/vnd.kubernetes.protobuf' }).then((r) => r.status),
    () => request(target, 'GET', `${CM}/%zz`).then((r) => r.status),
    () => request(target, 'GET', `${CM}/..`).then((r) => r.status),
    () => request(target, 'GET', `${CM}?limit=99999999999999999999999`).then((r) => r.status),
    () => request(target, 'PATCH', `${CM}/counter`, `{"data":${deep(3000)}}`, { 'content-type': 'application/strategic-merge-patch+json' }).then((r) => r.status),
    () => request(target, 'POST', CM, Buffer.alloc(3 * 1024 * 1024 + 10, 0x7b)).then((r) => r.status),
    () => rawExchange(target, 'BLAH / HTTP/1.1\r\n\r\n', 500).then((reply) => Number(reply.slice(9, 12)) || 400),
    () => rawExchange(target, `POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"meta`, 100).then(() => 499),
    () =>
      new Promise<number>((resolve) => {
        // A watch torn down as soon as its headers arrive.
        const req = httpClient(target).get({ host: '127.0.0.1', port: target.httpPort, path: `${CM}?watch=1`, agent: false }, (res) => {
          res.socket.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(499));
      }),
  ];
  return (kinds[i % kinds.length] as () => Promise<number>)();
}

describe('robustness: chaos against a server process', () => {
  let dataDir: string;
  let proc: ServerProcess;
  let target: Target;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-chaos-'));
    proc = await startServerProcess(['--data-dir', dataDir, '--port', '0', '--grpc-port', '0', '--log-level', 'fatal', ...OPEN_ACCESS_FLAGS]);
    target = { httpPort: Number(new URL(proc.url).port), url: proc.url };
  });
  after(async () => {
    await proc?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('survives, stays healthy and keeps every acknowledged write', async () => {
    assert.equal((await request(target, 'POST', CM, JSON.stringify({ metadata: { name: 'counter' }, data: {} }))).status, 201);
    // A watcher that never reads, present for the whole run.
    const slow = connectRaw(target);
    slow.pause();
    slow.write(`GET ${CM}?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n`);

    const created: Array<{ name: string; data: Record<string, string> }> = [];
    const patchedKeys: string[] = [];
    const hostileStatuses: number[] = [];
    const writes = Array.from({ length: 150 }, async (_, i) => {
      const data = { i: String(i), blob: 'b'.repeat(i * 100) };
      const r = await request(target, 'POST', CM, JSON.stringify({ metadata: { name: `ack-${i}` }, data }));
      if (r.status === 201) created.push({ name: `ack-${i}`, data });
      else assert.fail(`create ack-${i} answered ${r.status}: ${r.text.slice(0, 200)}`);
      const p = await request(target, 'PATCH', `${CM}/counter`, JSON.stringify({ data: { [`k${i}`]: String(i) } }), {
        'content-type': 'application/merge-patch+json',
      });
      if (p.status === 200) patchedKeys.push(`k${i}`);
      else assert.fail(`patch k${i} answered ${p.status}: ${p.text.slice(0, 200)}`);
    });
    const attacks = Array.from({ length: 220 }, (_, i) => hostile(target, i).then((s) => hostileStatuses.push(s)));
    await Promise.all([...writes, ...attacks]);
    slow.destroy();

    assert.equal(proc.child.exitCode, null, `the server exited:\n${proc.output().slice(-2000)}`);
    assert.deepEqual(hostileStatuses.filter((s) => s >= 500 && s !== 499), []);
    await assertHealthy(target);
    assert.equal(created.length, 150);
    for (const { name, data } of created) {
      const got = await request(target, 'GET', `${CM}/${name}`);
      assert.equal(got.status, 200, name);
      assert.deepEqual(got.body.data, data);
    }
    const counter = await request(target, 'GET', `${CM}/counter`);
    assert.deepEqual(Object.keys(counter.body.data).sort(), patchedKeys.sort());
    assert.equal(patchedKeys.length, 150);
  });
});
