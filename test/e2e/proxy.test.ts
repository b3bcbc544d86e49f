/**
 * The services/pods/nodes proxy: a real HTTP server on loopback registered as a Service
 * with Endpoints (naming a Pod with that IP), reached through `kubectl get --raw`, through
 * `kubectl proxy`, and directly (methods, query, body, headers, redirects, a WebSocket
 * echo); 503 without ready endpoints; refused without --proxy-allow-loopback; paths that
 * try to leave the named address never do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { connectRaw } from '../helpers/raw-http.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { runKubectl } from '../helpers/kubectl.js';
import { registerService, startKubectlProxy, wsEcho, wsFrame as frame, wsUnframe as unframe, type KubectlProxy } from '../helpers/proxy-backend.js';

const NS = 'default';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Ends the backend's /slow.html answer. */
let slowRelease: (() => void) | undefined;

function startBackend(): Promise<{ server: http.Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/page.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<a href="/abs">a</a> <a href="rel">r</a> <img src="//other.example/i.png">');
        return;
      }
      if (req.url === '/slow.html') {
        // The first half now, the rest only once the client has seen the first half rewritten.
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<p>first <a href="/one">1</a></p>');
        slowRelease = () => res.end('<p>second <a href="/two">2</a></p>');
        return;
      }
      if (req.url === '/not-modified') {
        res.writeHead(304, { 'content-type': 'text/html', 'content-encoding': 'gzip', etag: '"v1"' });
        res.end();
        return;
      }
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/landing?x=1' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': 'yes', connection: 'close, x-hop', 'x-hop': 'secret', 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body, hello: req.headers['x-hello'] ?? null }));
    });
  });
  server.on('upgrade', (req, socket) => wsEcho(req, socket));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, seen })));
}

function register(ts: TestServer, name: string, port: number, ready = true): Promise<void> {
  return registerService(ts, { namespace: NS, name, port, ready });
}

/** An upgrade through the proxy path; resolves with the 101 head and the echoed message. */
function websocketEcho(base: string, path: string, message: string): Promise<{ head: string; echoed: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connectRaw({ httpPort: Number(url.port), url: base }, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let buf = Buffer.alloc(0);
    let head: string | undefined;
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (head === undefined) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          return resolve({ head, echoed: buf.toString() });
        }
        socket.write(frame(message, true));
      }
      if (buf.length >= 2) {
        socket.destroy();
        resolve({ head, echoed: unframe(buf) });
      }
    });
    socket.on('error', reject);
  });
}

describe('proxy to cluster components', () => {
  let ts: TestServer;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let kubectlProxy: KubectlProxy | undefined;

  before(async () => {
    backend = await startBackend();
    ts = await startTestServer({ proxyAllowLoopback: true });
    await register(ts, 'web', backend.port);
  });
  after(async () => {
    await kubectlProxy?.stop();
    await ts?.stop();
    backend?.server.close();
  });

  it('answers kubectl get --raw through services/NAME:PORT/proxy, by port name and number', async () => {
    for (const id of ['web:web', 'web:80', 'http:web:web']) {
      const r = await runKubectl(33, ts.server.kubeconfigPath, ['get', '--raw', `/api/v1/namespaces/${NS}/services/${id}/proxy/hello/world?a=1&b=two`]);
      assert.equal(r.code, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      assert.equal(body.method, 'GET');
      assert.equal(body.url, '/hello/world?a=1&b=two');
    }
    // The single unnamed-port case: the only port has the name "" only when unnamed; a missing port number is 503.
    const r = await runKubectl(33, ts.server.kubeconfigPath, ['get', '--raw', `/api/v1/namespaces/${NS}/services/web:81/proxy/`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no service port 81 found for service "web"/);
  });

  it('passes methods, bodies and headers; strips hop-by-hop headers and credentials; keeps redirects under the prefix', async () => {
    const base = `${ts.server.url}/api/v1/namespaces/${NS}/services/web:web/proxy`;
    // A credential the API server accepts (it authenticates the request), never passed on.
    const token = readFileSync(join(ts.dataDir, 'admin-token'), 'utf8').trim();
    const res = await fetch(`${base}/submit?q=%20x`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-hello': 'there', authorization: `Bearer ${token}`, 'accept': 'text/html' },
      body: 'payload-bytes',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-backend'), 'yes');
    assert.equal(res.headers.get('x-hop'), null);
    // CORS is the API server's to answer, never the backend's.
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    assert.deepEqual(await res.json(), { method: 'POST', url: '/submit?q=%20x', body: 'payload-bytes', hello: 'there' });
    const seen = backend.seen.at(-1)!;
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers.host, `127.0.0.1:${backend.port}`);
    assert.equal(seen.headers['x-forwarded-uri'], `/api/v1/namespaces/${NS}/services/web:web/proxy/submit`);
    assert.equal(seen.headers['x-forwarded-host'], undefined);
    assert.equal(seen.headers['x-forwarded-proto'], undefined);
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const r = await fetch(`${base}/m`, { method, body: method === 'DELETE' ? undefined : 'b' });
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { method: string }).method, method);
    }
    const redirect = await fetch(`${base}/redirect`, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), `/api/v1/namespaces/${NS}/services/web:web/proxy/landing?x=1`);
    // The bare `…/proxy` moves to `…/proxy/` for GET and HEAD (query kept), as upstream; other methods go through.
    for (const method of ['GET', 'HEAD']) {
      const bare = await fetch(`${base}?a=1`, { method, redirect: 'manual' });
      assert.equal(bare.status, 301, method);
      assert.equal(bare.headers.get('location'), `/api/v1/namespaces/${NS}/services/web:web/proxy/?a=1`);
    }
    const posted = await fetch(base, { method: 'POST', body: 'x' });
    assert.equal(posted.status, 200);
    assert.equal(((await posted.json()) as { url: string }).url, '/');
  });

  it("rewrites an HTML body's backend links under the prefix (kubectl get --raw), leaves bodiless answers alone", async () => {
    const r = await runKubectl(33, ts.server.kubeconfigPath, ['get', '--raw', `/api/v1/namespaces/${NS}/services/web:web/proxy/page.html`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `<a href="/api/v1/namespaces/${NS}/services/web:web/proxy/abs">a</a> <a href="rel">r</a> <img src="//other.example/i.png">`);
    const nm = await fetch(`${ts.server.url}/api/v1/namespaces/${NS}/services/web:web/proxy/not-modified`);
    assert.equal(nm.status, 304);
    assert.equal(nm.headers.get('etag'), '"v1"');
  });

  it('streams a rewritten HTML body as it arrives, not once it has ended', async () => {
    const res = await fetch(`${ts.server.url}/api/v1/namespaces/${NS}/services/web:web/proxy/slow.html`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let got = '';
    while (!got.includes('</p>')) {
      const { value, done } = await reader.read();
      assert.equal(done, false);
      got += decoder.decode(value, { stream: true });
    }
    assert.equal(got, `<p>first <a href="/api/v1/namespaces/${NS}/services/web:web/proxy/one">1</a></p>`);
    slowRelease!();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      got += decoder.decode(value, { stream: true });
    }
    assert.equal(got, `<p>first <a href="/api/v1/namespaces/${NS}/services/web:web/proxy/one">1</a></p><p>second <a href="/api/v1/namespaces/${NS}/services/web:web/proxy/two">2</a></p>`);
  });

  it('reaches pods by status.podIP and nodes by their InternalIP', async () => {
    const pod = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/pods/web-pod:${backend.port}/proxy/p?z=1`);
    assert.equal(pod.status, 200);
    assert.equal(pod.body.url, '/p?z=1');
    // Without a port: the first declared container port.
    const first = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/pods/web-pod/proxy/first`);
    assert.equal(first.body.url, '/first');
    const node = await api(ts.server, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } });
    assert.equal(node.status, 201, JSON.stringify(node.body));
    const viaNode = await api(ts.server, 'GET', `/api/v1/nodes/http:n1:${backend.port}/proxy/node-path`);
    assert.equal(viaNode.status, 200);
    assert.equal(viaNode.body.url, '/node-path');
  });

  it('passes a WebSocket echo through', async () => {
    const { head, echoed } = await websocketEcho(ts.server.url, `/api/v1/namespaces/${NS}/services/web:web/proxy/ws`, 'ping');
    assert.match(head, /^HTTP\/1\.1 101/);
    assert.equal(echoed, 'echo:ping');
  });

  it('works behind kubectl proxy', async () => {
    kubectlProxy = await startKubectlProxy(ts.server.kubeconfigPath);
    const port = kubectlProxy.port;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/${NS}/services/web:web/proxy/through/kubectl?k=v`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { url: string }).url, '/through/kubectl?k=v');
    await kubectlProxy.stop();
    kubectlProxy = undefined;
  });

  it('answers 503 with a Status when no endpoint is ready', async () => {
    await register(ts, 'idle', backend.port, false);
    const r = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/services/idle:web/proxy/`);
    assert.equal(r.status, 503);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'ServiceUnavailable');
    assert.equal(r.body.message, 'no endpoints available for service "idle"');
    const k = await runKubectl(33, ts.server.kubeconfigPath, ['get', '--raw', `/api/v1/namespaces/${NS}/services/idle:web/proxy/`]);
    assert.notEqual(k.code, 0);
    assert.match(k.stderr, /ServiceUnavailable|no endpoints available for service "idle"/);
  });

  it('answers 503 when the backend cannot be reached, 404 for unknown objects, 400 for bad names', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const deadPort = (closed.address() as AddressInfo).port;
    closed.close();
    const dead = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/pods/web-pod:${deadPort}/proxy/`);
    assert.equal(dead.status, 503);
    assert.equal(dead.body.message, `error trying to reach service: dial tcp 127.0.0.1:${deadPort}: connect: connection refused`);
    const missing = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/services/nope:web/proxy/`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'services "nope" not found');
    const bad = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/services/ftp:web:web/proxy/`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'invalid service request "ftp:web:web"');
  });

  it('never lets a path leave the named address', async () => {
    const base = `/api/v1/namespaces/${NS}/services/web:web/proxy`;
    const cases: Array<[string, string]> = [
      ['/../../../etc/passwd', '/etc/passwd'],
      ['/%2e%2e/%2E%2E/x', '/x'],
      ['/a/..%2f..%2fb', '/b'],
      ['/@evil.example:80/x', '/@evil.example:80/x'],
      ['/http://evil.example/x', '/http:/evil.example/x'],
      ['//evil.example/x', '/evil.example/x'],
      ['/%2F%2Fevil.example/x', '/evil.example/x'],
    ];
    for (const [suffix, expected] of cases) {
      const sock = connectRaw(ts.server);
      await once(sock, ts.server.tls ? 'secureConnect' : 'connect');
      sock.write(`GET ${base}${suffix} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      let raw = '';
      for await (const chunk of sock) raw += String(chunk);
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, ''));
      assert.equal(body.url, expected, suffix);
    }
    // The object names the address: a name that looks like a host is only a name.
    const hosty = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/services/evil.example:80/proxy/`);
    assert.equal(hosty.status, 404);
    // A link-local pod IP is never dialled.
    await api(ts.server, 'POST', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'meta' }, spec: { containers: [{ name: 'c', image: 'c' }] } });
    await api(ts.server, 'PATCH', `/api/v1/namespaces/${NS}/pods/meta/status`, { status: { podIP: '169.254.169.254' } }, { 'content-type': 'application/merge-patch+json' });
    const linkLocal = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/pods/meta:80/proxy/latest/meta-data`);
    assert.equal(linkLocal.status, 400);
    assert.equal(linkLocal.body.message, 'address not allowed');
  });

  it('lists the proxy subresources in discovery', async () => {
    const r = await api(ts.server, 'GET', '/api/v1');
    const byName = new Map((r.body.resources as Array<{ name: string }>).map((x) => [x.name, x]));
    assert.deepEqual(byName.get('services/proxy'), { name: 'services/proxy', singularName: '', namespaced: true, kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
    assert.deepEqual(byName.get('pods/proxy'), { name: 'pods/proxy', singularName: '', namespaced: true, kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
    assert.deepEqual(byName.get('nodes/proxy'), { name: 'nodes/proxy', singularName: '', namespaced: false, kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
  });
});

describe('proxy without --proxy-allow-loopback', () => {
  let ts: TestServer;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  before(async () => {
    backend = await startBackend();
    ts = await startTestServer();
    await register(ts, 'web', backend.port);
  });
  after(async () => {
    await ts?.stop();
    backend?.server.close();
  });

  it('refuses the same loopback Service, and never reaches it', async () => {
    const r = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/services/web:web/proxy/`);
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
    assert.equal(r.body.message, 'address not allowed');
    const k = await runKubectl(33, ts.server.kubeconfigPath, ['get', '--raw', `/api/v1/namespaces/${NS}/services/web:80/proxy/`]);
    assert.notEqual(k.code, 0);
    assert.equal(backend.seen.length, 0);
  });
});
