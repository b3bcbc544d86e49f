/**
 * What the proxy tests share: registering a loopback server as a Service with ready
 * Endpoints (naming a Pod that has the IP), a minimal WebSocket echo, and `kubectl proxy`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import assert from 'node:assert/strict';
import { api, type TestServer } from './server.js';
import { kubectlBinary } from './kubectl.js';

/** Encodes one short WebSocket text frame (masked when a client sends it). */
export function wsFrame(text: string, mask: boolean): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.from([0x81, (mask ? 0x80 : 0) | payload.length]);
  if (!mask) return Buffer.concat([header, payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([header, key, Buffer.from(payload.map((b, i) => b ^ (key[i % 4] as number)))]);
}

/** Decodes one short WebSocket frame. */
export function wsUnframe(data: Buffer): string {
  const len = (data[1] as number) & 0x7f;
  if ((data[1] as number) & 0x80) {
    const key = data.subarray(2, 6);
    return Buffer.from(data.subarray(6, 6 + len).map((b, i) => b ^ (key[i % 4] as number))).toString();
  }
  return data.subarray(2, 2 + len).toString();
}

/** Answers a WebSocket handshake and echoes each text frame back as `echo:TEXT`. */
export function wsEcho(req: http.IncomingMessage, socket: Duplex): void {
  const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  socket.on('error', () => undefined);
  socket.on('data', (d: Buffer) => {
    const opcode = (d[0] as number) & 0x0f;
    if (opcode === 0x8) socket.end();
    else if (opcode === 0x1) socket.write(wsFrame(`echo:${wsUnframe(d)}`, false));
  });
}

export interface Registration {
  namespace: string;
  name: string;
  /** The backend's port. */
  port: number;
  /** The Pod's (and endpoint's) IP; 127.0.0.1 unless given. */
  ip?: string;
  /** Whether the endpoint address is ready (default true). */
  ready?: boolean;
  /** The service port's name (default `web`). */
  portName?: string;
}

/** A Pod with the IP, a Service with port 80 → the backend, and Endpoints naming the Pod. */
export async function registerService(ts: TestServer, r: Registration): Promise<void> {
  const { namespace: ns, name, port } = r;
  const ip = r.ip ?? '127.0.0.1';
  const portName = r.portName ?? 'web';
  const pod = await api(ts.server, 'POST', `/api/v1/namespaces/${ns}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${name}-pod` },
    spec: { containers: [{ name: 'web', image: 'web', ports: [{ containerPort: port }] }] },
  });
  assert.equal(pod.status, 201, JSON.stringify(pod.body));
  const status = await api(ts.server, 'PATCH', `/api/v1/namespaces/${ns}/pods/${name}-pod/status`, { status: { podIP: ip, podIPs: [{ ip }] } }, {
    'content-type': 'application/merge-patch+json',
  });
  assert.equal(status.status, 200, JSON.stringify(status.body));
  const svc = await api(ts.server, 'POST', `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { ports: [{ name: portName, port: 80, targetPort: port }] },
  });
  assert.equal(svc.status, 201, JSON.stringify(svc.body));
  const address = { ip, targetRef: { kind: 'Pod', namespace: ns, name: `${name}-pod` } };
  const eps = await api(ts.server, 'POST', `/api/v1/namespaces/${ns}/endpoints`, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name },
    subsets: [{ [(r.ready ?? true) ? 'addresses' : 'notReadyAddresses']: [address], ports: [{ name: portName, port }] }],
  });
  assert.equal(eps.status, 201, JSON.stringify(eps.body));
}

/** A running `kubectl proxy` on a free port; `stop()` ends it. */
export interface KubectlProxy {
  port: number;
  stop(): Promise<void>;
}

export async function startKubectlProxy(kubeconfig: string, minor = 33): Promise<KubectlProxy> {
  const child: ChildProcess = spawn(kubectlBinary(minor), ['proxy', '--port=0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Starting to serve on [^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`kubectl proxy exited ${code}: ${out}`)));
  });
  return {
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}
