/**
 * A server process started while its etcd is down does not exit: it listens, answers the health
 * endpoints — /readyz not ready (`[-]etcd failed`, `[-]informer-sync failed`), /livez with only
 * the etcd check failing, as upstream's /livez includes it — and 503 for API requests, retries
 * storage, and serves once etcd comes up.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { OPEN_ACCESS_FLAGS } from '../helpers/server.js';

let etcd: EtcdInstance;
let dataDir: string;
let server: ServerProcess | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  // An etcd whose ports and data directory are set up, then stopped: the server starts first.
  etcd = await startEtcd();
  await etcd.kill9();
  dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-startup-'));
});

after(async () => {
  await server?.kill9();
  await etcd.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('start-up with etcd down', () => {
  it('serves health (not ready) until etcd is up, then the API', async () => {
    const port = await freePort();
    const base = `https://127.0.0.1:${port}`;
    let exited: string | undefined;
    const starting = startServerProcess(
      ['--data-dir', dataDir, '--port', String(port), '--grpc-port', '0', '--etcd-servers', etcd.endpoint, ...OPEN_ACCESS_FLAGS],
      120_000,
      { direct: true },
    );
    starting.catch((err: Error) => (exited = err.message));
    let live: Response | undefined;
    for (let i = 0; i < 150 && !live && exited === undefined; i++) {
      live = await fetch(`${base}/livez?verbose`).catch(() => undefined);
      if (!live) await sleep(200);
    }
    assert.equal(exited, undefined, 'the server exited');
    assert.ok(live, 'the server never listened');
    assert.equal(live.status, 500);
    assert.equal(await live.text(), '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\nlivez check failed\n');
    const liveWithoutEtcd = await fetch(`${base}/livez?exclude=etcd`);
    assert.equal(liveWithoutEtcd.status, 200);
    assert.equal(await liveWithoutEtcd.text(), 'ok');
    const ready = await fetch(`${base}/readyz?verbose`);
    assert.equal(ready.status, 500);
    assert.equal(
      await ready.text(),
      '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n[-]informer-sync failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n',
    );
    const api = await fetch(`${base}/api/v1/namespaces/default/configmaps`);
    assert.equal(api.status, 503);
    assert.equal(api.headers.get('retry-after'), '1');
    const status = (await api.json()) as { reason: string; message: string; code: number };
    assert.deepEqual([status.reason, status.code, status.message], ['ServiceUnavailable', 503, 'the server is starting: storage is not reachable yet']);

    // Still waiting a few seconds later, then etcd comes up.
    await sleep(2000);
    assert.equal(exited, undefined, 'the server exited while etcd was down');
    await etcd.restart();
    server = await starting;
    assert.equal(server.url, base);
    const deadline = Date.now() + 30_000;
    let readyStatus = 0;
    while (Date.now() < deadline && readyStatus !== 200) {
      readyStatus = (await fetch(`${base}/readyz`)).status;
      if (readyStatus !== 200) await sleep(200);
    }
    assert.equal(readyStatus, 200);
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    const created = await fetch(`${base}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'after-etcd' } }),
    });
    assert.equal(created.status, 201);
    await server.stop();
    assert.equal(await server.exitCode, 0);
    server = undefined;
  });
});
