/**
 * SIGTERM to a server process, as kube-apiserver's graceful shutdown: /readyz fails at once
 * (`[-]shutdown failed`) while it serves on through `--shutdown-delay-duration`; then it stops
 * accepting connections, open watches end cleanly (HTTP: the chunked response is terminated;
 * gRPC: the stream ends with OK), a request still in progress (storage frozen) finishes, and
 * the process exits 0.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StatusObject } from '@grpc/grpc-js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { OPEN_ACCESS_FLAGS, testCaChannelCredentials } from '../helpers/server.js';
import { httpClient } from '../helpers/raw-http.js';

const DELAY_MS = 3000;
const CM = '/api/v1/namespaces/default/configmaps';

let etcd: EtcdInstance;
let server: ServerProcess;
let dataDir: string;

before(async () => {
  etcd = await startEtcd();
  dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-shutdown-'));
  server = await startServerProcess(
    ['--data-dir', dataDir, '--port', '0', '--grpc-port', '0', '--etcd-servers', etcd.endpoint, '--shutdown-delay-duration', `${DELAY_MS}ms`, '--request-timeout', '30s', ...OPEN_ACCESS_FLAGS],
    60_000,
    { direct: true },
  );
});

after(async () => {
  etcd.signal('SIGCONT');
  await server.kill9();
  await etcd.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A GET on a connection of its own; resolves with the response once its body has ended or broken off. */
function request(path: string): Promise<{ res: IncomingMessage; body: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url + path);
    const req = httpClient(server.url).get({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent: false, headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ res, body, complete: res.complete }));
      res.on('aborted', () => resolve({ res, body, complete: false }));
      res.on('error', () => resolve({ res, body, complete: false }));
    });
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SIGTERM', () => {
  it('fails /readyz, serves through the delay, ends watches cleanly, lets a call in progress finish, and exits 0', async () => {
    const created = await fetch(server.url + CM, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'before' } }) });
    assert.equal(created.status, 201);
    // An HTTP watch and a gRPC watch, open before the signal.
    const httpWatch = request(`${CM}?watch=true&resourceVersion=0`);
    const client = new ConfigMapServiceClient(server.grpcAddress, testCaChannelCredentials());
    const stream = client.watch({ namespace: 'default', options: {} });
    let grpcEvents = 0;
    stream.on('data', () => grpcEvents++);
    stream.on('error', () => undefined);
    const grpcStatus = new Promise<StatusObject>((r) => stream.on('status', r));
    await sleep(500);
    assert.ok(grpcEvents >= 1, 'the gRPC watch had its initial event');

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    await sleep(300);
    // The delay: not ready, still serving.
    const ready = await fetch(`${server.url}/readyz?verbose`);
    assert.equal(ready.status, 500);
    assert.match(await ready.text(), /\n\[-\]shutdown failed: reason withheld\nreadyz check failed\n$/);
    assert.equal((await fetch(server.url + CM)).status, 200);

    // A consistent read that cannot finish while etcd is frozen: in progress when the listener closes.
    etcd.signal('SIGSTOP');
    const inProgress = request(`${CM}/before`);
    await sleep(DELAY_MS - (Date.now() - signalled) + 700);

    await assert.rejects(fetch(`${server.url}/version`), 'a new connection was accepted after the delay');
    const watched = await httpWatch;
    assert.equal(watched.res.statusCode, 200);
    assert.equal(watched.complete, true, 'the HTTP watch was cut off rather than terminated');
    assert.match(watched.body, /"type":"ADDED"/);
    const status = await grpcStatus;
    assert.equal(status.code, 0, `the gRPC watch ended with ${status.code} ${status.details}`);
    client.close();
    const early = await Promise.race([server.exitCode.then(() => 'exited'), sleep(200).then(() => 'running')]);
    assert.equal(early, 'running', 'the server exited with a call in progress');

    etcd.signal('SIGCONT');
    const finished = await inProgress.catch((err: unknown) => assert.fail(`${String(err)}\n${server.output()}`));
    assert.equal(finished.res.statusCode, 200, finished.body);
    assert.equal((JSON.parse(finished.body) as { metadata: { name: string } }).metadata.name, 'before');
    const code = await Promise.race([server.exitCode, sleep(15_000).then(() => 'still running')]);
    assert.equal(code, 0, server.output());
  });
});
