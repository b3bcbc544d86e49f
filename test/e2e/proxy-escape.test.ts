/**
 * Paths and names that try to make the proxy dial somewhere the objects do not name: `..`
 * (plain and encoded), `@host`, `//host`, absolute URLs, encoded slashes and `%40`,
 * backslashes, a port in the path, hosts and ports smuggled into the name, endpoint
 * addresses no Pod has. A second loopback server (on 127.0.0.2) fails the test if anything
 * reaches it; each attempt ends at the named backend (with the cleaned path) or in the
 * exact Status upstream answers — directly and under `kubectl proxy`.
 */
import http from 'node:http';
import { connectRaw, httpClient, type RawTarget } from '../helpers/raw-http.js';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { registerService, startKubectlProxy, type KubectlProxy } from '../helpers/proxy-backend.js';

const NS = 'default';
const BASE = `/api/v1/namespaces/${NS}/services/web:web/proxy`;

interface Answer {
  status: number;
  body: string;
  location?: string;
}

/** One request sent exactly as written (no client-side URL normalization), answered in full. */
function rawGet(to: RawTarget, target: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpClient(to).request({ host: '127.0.0.1', port: to.httpPort, method: 'GET', path: target, headers: { connection: 'close', ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers.location ? { location: res.headers.location } : {}) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An upgrade request sent exactly as written; resolves with all the bytes until the connection closes. */
function rawUpgrade(to: RawTarget, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectRaw(to, () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

/** A server that echoes the path it got: the named backend. */
function listen(host: string, onRequest: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(onRequest);
  return new Promise((resolve) => server.listen(0, host, () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

describe('proxy escape attempts', () => {
  let ts: TestServer;
  let backend: { server: http.Server; port: number };
  let trap: { server: http.Server; port: number };
  const trapped: string[] = [];
  let T: string;
  let kubectlProxy: KubectlProxy;

  before(async () => {
    backend = await listen('127.0.0.1', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`backend:${req.url}`);
    });
    trap = await listen('127.0.0.2', (req, res) => {
      trapped.push(req.url ?? '');
      res.writeHead(200);
      res.end('TRAPPED');
    });
    trap.server.on('connection', () => trapped.push('connection'));
    // Upgrades: the backend switches and names the path it got; the trap records them too.
    backend.server.on('upgrade', (req, socket) => socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nbackend:${req.url}`));
    trap.server.on('upgrade', (req, socket) => {
      trapped.push(`upgrade ${req.url}`);
      socket.destroy();
    });
    T = `127.0.0.2:${trap.port}`;
    ts = await startTestServer({ proxyAllowLoopback: true });
    await registerService(ts, { namespace: NS, name: 'web', port: backend.port });
    // An Endpoints address that no Pod has (the Pod it names is at 127.0.0.1): never dialled.
    await registerService(ts, { namespace: NS, name: 'spoof', port: backend.port });
    const eps = await api(ts.server, 'PUT', `/api/v1/namespaces/${NS}/endpoints/spoof`, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'spoof' },
      subsets: [
        {
          addresses: [{ ip: '127.0.0.2', targetRef: { kind: 'Pod', namespace: NS, name: 'spoof-pod' } }, { ip: '127.0.0.2' }],
          ports: [{ name: 'web', port: trap.port }],
        },
      ],
    });
    assert.equal(eps.status, 200, JSON.stringify(eps.body));
    const node = await api(ts.server, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] } });
    assert.equal(node.status, 201, JSON.stringify(node.body));
    kubectlProxy = await startKubectlProxy(ts.server.kubeconfigPath);
  });
  after(async () => {
    await kubectlProxy?.stop();
    await ts?.stop();
    backend?.server.close();
    trap?.server.close();
  });

  /** Path suffixes after BASE, and the path the named backend gets. */
  const paths = (): Array<[string, string]> => [
    ['/../../../etc/passwd', '/etc/passwd'],
    ['/a/b/../../../..', '/'],
    ['/%2e%2e/%2E%2E/x', '/x'],
    ['/.%2e/.%2E/%2e./x', '/x'],
    ['/a/..%2f..%2f..%2fb', '/b'],
    ['/a%2f%2e%2e%2f%2e%2e%2fb', '/b'],
    [`/@${T}/x`, `/@${T}/x`],
    [`/%40${T}/x`, `/@${T}/x`],
    [`/user%40${T}/x`, `/user@${T}/x`],
    [`/http://${T}/x`, `/http:/${T}/x`],
    [`/http:%2F%2F${T}/x`, `/http:/${T}/x`],
    [`/https:${T}/x`, `/https:${T}/x`],
    [`//${T}/x`, `/${T}/x`],
    [`///${T}/x`, `/${T}/x`],
    [`/%2F%2F${T}/x`, `/${T}/x`],
    [`/%2f${T}%2fx`, `/${T}/x`],
    [`/\\\\${T}/x`, `/%5C%5C${T}/x`],
    [`/%5C%5C${T}/x`, `/%5C%5C${T}/x`],
    [`/..\\..\\${T}`, `/..%5C..%5C${T}`],
    [`/:${trap.port}/x`, `/:${trap.port}/x`],
    [`/x?next=http://${T}/&host=${T}`, `/x?next=http://${T}/&host=${T}`],
  ];

  /**
   * kubectl proxy's own mux cleans raw `..` and `//` before anything is sent: a 301 to the
   * cleaned path on kubectl proxy itself (so still this API server), as Go's ServeMux does.
   */
  const kubectlRedirects = (): Record<string, string> => ({
    '/../../../etc/passwd': `/api/v1/namespaces/${NS}/etc/passwd`,
    '/a/b/../../../..': `/api/v1/namespaces/${NS}/services`,
    [`/http://${T}/x`]: `${BASE}/http:/${T}/x`,
    [`//${T}/x`]: `${BASE}/${T}/x`,
    [`///${T}/x`]: `${BASE}/${T}/x`,
  });

  /**
   * Names (the `[scheme:]NAME[:PORT]` segment) that try to carry a host or port, and the
   * Status: upstream's own where upstream refuses the name; for a pod or node port that is
   * not a number (upstream would fail at dial time, 503) we refuse it up front with
   * upstream's invalid-request wording.
   */
  const names = (): Array<[string, number, string]> => [
    [`services/web:${trap.port}`, 503, `no service port ${trap.port} found for service "web"`],
    [`services/${T}`, 404, 'services "127.0.0.2" not found'],
    [`services/http:127.0.0.2:${trap.port}`, 404, 'services "127.0.0.2" not found'],
    [`services/web:web@${T}`, 400, `invalid service request "web:web@${T}"`],
    [`services/web@${T}`, 404, `services "web@127.0.0.2" not found`],
    [`services/http:web:web:${trap.port}`, 400, `invalid service request "http:web:web:${trap.port}"`],
    [`services/spoof:web`, 503, 'no endpoints available for service "spoof"'],
    [`pods/web-pod:80@${T}`, 400, `invalid pod request "web-pod:80@${T}"`],
    [`pods/web-pod:80%40${T}`, 400, `invalid pod request "web-pod:80@${T}"`],
    [`pods/${T}`, 404, 'pods "127.0.0.2" not found'],
    [`nodes/${T}`, 404, 'nodes "127.0.0.2" not found'],
    [`nodes/http:n1:${trap.port}@127.0.0.2`, 400, `invalid node request "n1:${trap.port}@127.0.0.2"`],
  ];
  /** Nodes are cluster-scoped; the rest live in the namespace. */
  const namePath = (name: string): string => (name.startsWith('nodes/') ? `/api/v1/${name}` : `/api/v1/namespaces/${NS}/${name}`);

  it('sends every path to the named backend only, cleaned', async () => {
    for (const [suffix, expected] of paths()) {
      const r = await rawGet(ts.server, BASE + suffix, { host: T });
      assert.deepEqual(r, { status: 200, body: `backend:${expected}` }, suffix);
    }
    // An absolute-form request target names the API server's own path, not a host to dial.
    const absolute = await rawGet(ts.server, `http://${T}${BASE}/abs`);
    assert.deepEqual(absolute, { status: 200, body: 'backend:/abs' });
    assert.deepEqual(trapped, []);
  });

  it('sends every upgrade (WebSocket) to the named backend only, cleaned', async () => {
    for (const [suffix, expected] of paths()) {
      const got = await rawUpgrade(ts.server, BASE + suffix);
      assert.match(got, /^HTTP\/1\.1 101 /, suffix);
      assert.equal(got.slice(got.indexOf('\r\n\r\n') + 4), `backend:${expected}`, suffix);
    }
    assert.deepEqual(trapped, []);
  });

  it('answers a name that smuggles a host or port with a Status, never a dial', async () => {
    for (const [name, code, message] of names()) {
      const r = await api(ts.server, 'GET', `${namePath(name)}/proxy/x`);
      assert.equal(r.status, code, name);
      assert.equal(r.body.kind, 'Status', name);
      assert.equal(r.body.code, code, name);
      assert.equal(r.body.message, message, name);
    }
    assert.deepEqual(trapped, []);
  });

  it('holds under kubectl proxy too', async () => {
    const redirects = kubectlRedirects();
    for (const [suffix, expected] of paths()) {
      const r = await rawGet({ httpPort: kubectlProxy.port }, BASE + suffix);
      const moved = redirects[suffix];
      if (moved) {
        assert.equal(r.status, 301, suffix);
        assert.equal(r.location, moved, suffix);
      } else {
        assert.deepEqual(r, { status: 200, body: `backend:${expected}` }, suffix);
      }
    }
    for (const [name, code, message] of names()) {
      const r = await rawGet({ httpPort: kubectlProxy.port }, `${namePath(name)}/proxy/x`);
      assert.equal(r.status, code, name);
      const status = JSON.parse(r.body) as { kind: string; code: number; message: string };
      assert.deepEqual([status.kind, status.code, status.message], ['Status', code, message], name);
    }
    assert.deepEqual(trapped, []);
  });

  it('the trap is live: a Pod that really has its address reaches it (so silence above means nothing got there)', async () => {
    const pod = await api(ts.server, 'POST', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'trap' }, spec: { containers: [{ name: 'c', image: 'c' }] } });
    assert.equal(pod.status, 201);
    await api(ts.server, 'PATCH', `/api/v1/namespaces/${NS}/pods/trap/status`, { status: { podIP: '127.0.0.2' } }, { 'content-type': 'application/merge-patch+json' });
    const r = await rawGet(ts.server, `/api/v1/namespaces/${NS}/pods/trap:${trap.port}/proxy/named`);
    assert.deepEqual(r, { status: 200, body: 'TRAPPED' });
    assert.deepEqual(trapped, ['connection', '/named']);
  });
});
