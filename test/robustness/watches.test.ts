/**
 * Watch churn and slow consumers: clients that vanish mid-stream leave nothing behind, and a
 * client that never reads blocks neither writers nor other watchers.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { connectRaw, httpClient } from '../helpers/raw-http.js';
import { after, before, describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertHealthy, request } from './helpers.js';

const CM = '/api/v1/namespaces/default/configmaps';
const WATCHES = 200;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Live timers and sockets in this process (server and clients share it). */
function resources(): { timers: number; sockets: number } {
  const info = process.getActiveResourcesInfo();
  return { timers: info.filter((r) => r === 'Timeout').length, sockets: info.filter((r) => r === 'TCPSocketWrap').length };
}

async function settle(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(resources())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until the server's own background work (the controllers' start-up passes and their
 * debounce timers) has gone quiet, so a baseline counts only what stays.
 */
async function quiesce(): Promise<{ timers: number; sockets: number }> {
  let last = JSON.stringify(resources());
  let stable = 0;
  const end = Date.now() + 15_000;
  while (stable < 10) {
    if (Date.now() > end) throw new Error(`the server never went quiet: ${last}`);
    await new Promise((r) => setTimeout(r, 50));
    const now = JSON.stringify(resources());
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return resources();
}

/** Opens a watch and resolves once the server has sent the headers and `events` events. */
function openWatch(t: TestServer, path: string, events = 0): Promise<{ res: http.IncomingMessage; req: http.ClientRequest; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const req = httpClient(t.server).get({ host: '127.0.0.1', port: t.server.httpPort, path, agent: false, headers: { accept: 'application/json' } }, (res) => {
      const lines: string[] = [];
      let buf = '';
      res.setEncoding('utf8');
      const done = (): void => {
        if (lines.length >= events) resolve({ res, req, lines });
      };
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
        done();
      });
      res.on('error', () => undefined);
      assert.equal(res.statusCode, 200);
      done();
    });
    req.on('error', reject);
  });
}

describe('robustness: watches', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    assert.equal((await request(t.server, 'POST', CM, JSON.stringify({ metadata: { name: 'seed' } }))).status, 201);
  });
  after(async () => {
    await assertHealthy(t.server);
    await t.stop();
  });

  it(`${WATCHES} watches destroyed mid-stream leave no timers, sockets or memory behind`, async () => {
    const baseline = await quiesce();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let cycle = 0; cycle < 2; cycle++) {
      // Each watch first receives the seed's ADDED event (resourceVersion=0 sends the current state).
      const watches = await Promise.all(Array.from({ length: WATCHES }, (_, i) => openWatch(t, `${CM}?watch=1&resourceVersion=0&allowWatchBookmarks=${i % 2 === 0}`, 1)));
      try {
        const open = resources();
        assert.ok(open.timers >= baseline.timers + WATCHES, `every open watch holds its timeout timer: ${JSON.stringify(baseline)} -> ${JSON.stringify(open)}`);
        const write = await request(t.server, 'PUT', `${CM}/seed`, JSON.stringify({ metadata: { name: 'seed' }, data: { cycle: String(cycle) } }));
        assert.equal(write.status, 200);
      } finally {
        // A failed check above must not leave 200 watches open for the next test.
        for (const w of watches) w.res.socket.destroy();
      }
      await settle(() => {
        const now = resources();
        return now.timers <= baseline.timers && now.sockets <= baseline.sockets;
      }, 'watch timers and sockets to be released');
      await assertHealthy(t.server);
    }
    gc();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 20 * 1024 * 1024, `heap grew by ${Math.round(grown / 1024)} KiB`);
    // Writes after the churn still fan out to a fresh watcher.
    const fresh = await openWatch(t, `${CM}?watch=1&resourceVersion=${(await request(t.server, 'GET', CM)).body.metadata.resourceVersion}`);
    const live = new Promise<string>((resolve) => fresh.res.on('data', (c: string) => resolve(c)));
    assert.equal((await request(t.server, 'POST', CM, JSON.stringify({ metadata: { name: 'after-churn' } }))).status, 201);
    assert.match(await live, /"type":"ADDED".*"name":"after-churn"/);
    fresh.res.socket.destroy();
  });

  it('a watcher that never reads blocks neither writers nor other watchers', async () => {
    const start = (await request(t.server, 'GET', CM)).body.metadata.resourceVersion as string;
    // The slow client: a raw socket that sends the request and never reads a byte.
    const slow = connectRaw(t.server);
    slow.pause();
    slow.write(`GET ${CM}?watch=1&resourceVersion=${start} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n`);
    const fast = await openWatch(t, `${CM}?watch=1&resourceVersion=${start}`);

    const WRITES = 120;
    const payload = 'z'.repeat(64 * 1024);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: WRITES }, (_, i) => request(t.server, 'POST', CM, JSON.stringify({ metadata: { name: `bulk-${i}` }, data: { p: payload } }))),
    );
    assert.ok(results.every((r) => r.status === 201));
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `writes took ${elapsed} ms`);
    await settle(() => fast.lines.length >= WRITES, `the fast watcher to see ${WRITES} events`, 10_000);
    const names = fast.lines.map((l) => JSON.parse(l).object.metadata.name as string);
    assert.deepEqual(new Set(names), new Set(Array.from({ length: WRITES }, (_, i) => `bulk-${i}`)));
    assert.equal((await request(t.server, 'GET', `${CM}?limit=1`)).status, 200);
    await assertHealthy(t.server);
    slow.destroy();
    fast.res.socket.destroy();
  });
});
