/**
 * The HTTP listener against slow and greedy clients, with raw sockets: 300 connections
 * trickling their headers (slowloris) neither stop a normal client from being served nor stay
 * open past the headers timeout (408, then closed); an idle keep-alive connection is closed
 * after the keep-alive timeout; a 1 MB header is 431 (the cap is 16 KiB) while a 12 KiB one is
 * served; `--max-connections` closes
 * connections beyond the cap as they arrive.
 */
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { connectRaw } from '../helpers/raw-http.js';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HEADERS_TIMEOUT_MS = 2000;
const KEEP_ALIVE_TIMEOUT_MS = 1500;
const timeouts = { headersTimeoutMs: HEADERS_TIMEOUT_MS, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS, checkIntervalMs: 250 };

let t: TestServer;

before(async () => {
  t = await startTestServer({ connectionTimeouts: timeouts });
});

after(async () => {
  await t.stop();
});

/** A raw connection that records what it received and when it was closed. */
interface RawConnection {
  socket: Socket;
  received: () => string;
  closed: Promise<number>;
}

/** A raw connection to `server`'s HTTP port, TLS when it serves TLS (resolved once the handshake is done). */
function open(server: TestServer['server']): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connectRaw(server);
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now())));
    socket.once(server.tls ? 'secureConnect' : 'connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** A plain TCP connection that sends nothing by itself (no TLS handshake either). */
function openTcp(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now())));
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('slow clients', () => {
  it('300 connections trickling headers do not stop a normal client, and are cut off at the headers timeout with 408', async () => {
    const slow = await Promise.all(Array.from({ length: 300 }, () => open(t.server)));
    const started = Date.now();
    for (const c of slow) c.socket.write('GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => {
      for (const c of slow) if (!c.socket.destroyed) c.socket.write('X-Slow: a\r\n');
    }, 200);
    try {
      await sleep(300);
      const t0 = Date.now();
      const res = await fetch(`${t.server.url}/version`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { major: string }).major, '1');
      assert.ok(Date.now() - t0 < 1000, `the normal client waited ${Date.now() - t0} ms`);
      const closedAt = await Promise.all(slow.map((c) => c.closed));
      const last = Math.max(...closedAt) - started;
      assert.ok(last >= HEADERS_TIMEOUT_MS - 100 && last < HEADERS_TIMEOUT_MS + 1500, `the last trickling connection closed after ${last} ms`);
      for (const c of slow) assert.match(c.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    } finally {
      clearInterval(trickle);
      for (const c of slow) c.socket.destroy();
    }
  });

  it('a connection that never finishes its TLS handshake is cut off at the headers timeout', async () => {
    const silent = await openTcp(t.server.httpPort);
    const started = Date.now();
    const closedAfter = (await silent.closed) - started;
    assert.ok(closedAfter >= HEADERS_TIMEOUT_MS - 200 && closedAfter < HEADERS_TIMEOUT_MS + 1500, `closed after ${closedAfter} ms`);
    assert.equal(silent.received(), '');
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const c = await open(t.server);
    c.socket.write('GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    while (!c.received().includes('"major"')) await sleep(20);
    const answered = Date.now();
    assert.match(c.received(), /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(c.received(), /\r\nKeep-Alive: timeout=1\r\n/i);
    const idle = (await c.closed) - answered;
    assert.ok(idle >= KEEP_ALIVE_TIMEOUT_MS - 200 && idle < KEEP_ALIVE_TIMEOUT_MS + 1500, `closed after ${idle} ms idle`);
  });
});

describe('header size', () => {
  it('a 1 MB header is 431 and the connection closed; a 12 KiB header is served', async () => {
    const big = await open(t.server);
    big.socket.write(`GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(1_000_000)}\r\n\r\n`);
    await big.closed;
    assert.match(big.received(), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);

    const res = await fetch(`${t.server.url}/version`, { headers: { 'x-large': 'b'.repeat(12 * 1024) } });
    assert.equal(res.status, 200);
  });
});

describe('--max-connections', () => {
  let capped: TestServer;
  before(async () => {
    capped = await startTestServer({ maxConnections: 5, connectionTimeouts: timeouts });
  });
  after(async () => {
    await capped.stop();
  });

  it('closes connections beyond the cap at once, and takes new ones when some close', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, () => open(capped.server)));
    await sleep(100);
    const extra = await openTcp(capped.server.httpPort);
    const t0 = Date.now();
    const closedAt = await Promise.race([extra.closed, sleep(1000).then(() => 0)]);
    assert.ok(closedAt > 0 && closedAt - t0 < 1000, 'the sixth connection stayed open');
    assert.equal(extra.received(), '');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await sleep(100);
    const res = await fetch(`${capped.server.url}/version`);
    assert.equal(res.status, 200);
  });
});
