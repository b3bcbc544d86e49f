/** Helpers for hostile-input tests: exact-path requests, raw sockets, Status shapes. */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { connectRaw, httpClient, type RawTarget } from '../helpers/raw-http.js';
import { after, before } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Where the HTTP API listens (a RunningServer, or a server process's port). */
export type Target = RawTarget;

/** A response read in full. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any;
}

/**
 * One request with the path sent byte for byte (fetch would normalise `.`/`..` and
 * refuse methods such as TRACE). JSON bodies are parsed when they parse.
 */
export function request(
  server: Target,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    // Node frames no body of a DELETE unless told its length.
    if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-length' || k.toLowerCase() === 'transfer-encoding')) {
      h['content-length'] = String(Buffer.byteLength(body));
    }
    const req = httpClient(server).request({ host: '127.0.0.1', port: server.httpPort, method, path, headers: h, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes raw bytes on a fresh connection and returns everything the server sent before closing (or `ms`). */
export function rawExchange(server: Target, bytes: string | Buffer, ms = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connectRaw(server);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(), ms);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (err) => {
      // A reset after the server answered is fine; before it, it is the answer.
      if (chunks.length === 0 && (err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    sock.write(bytes);
  });
}

/** The Kubernetes failure Status, exactly. */
export { failureStatus as failure } from '../helpers/objects.js';

/** Asserts a response is a failure Status with this code, reason and message. */
export function assertStatus(res: RawResponse, code: number, reason: string, message: string | RegExp): void {
  assert.equal(res.status, code, `expected ${code} ${reason}, got ${res.status}: ${res.text.slice(0, 300)}`);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.body?.kind, 'Status');
  assert.equal(res.body.apiVersion, 'v1');
  assert.equal(res.body.status, 'Failure');
  assert.equal(res.body.code, code);
  assert.equal(res.body.reason, reason);
  if (typeof message === 'string') assert.equal(res.body.message, message);
  else assert.match(res.body.message, message);
}

/** /healthz answers ok. */
export async function assertHealthy(server: Target): Promise<void> {
  const r = await request(server, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'ok');
}

/**
 * Registers before/after hooks in the current suite: a fresh server with one ConfigMap
 * `default/target`, checked healthy and stopped afterwards. Returns the server accessor.
 */
export function useServerWithTarget(): () => TestServer {
  let t: TestServer | undefined;
  before(async () => {
    t = await startTestServer();
    const r = await request(t.server, 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'target' }, data: { k: 'v' } }));
    assert.equal(r.status, 201);
  });
  after(async () => {
    if (!t) return;
    await assertHealthy(t.server);
    await t.stop();
  });
  return () => {
    if (!t) throw new Error('the server is not started yet');
    return t;
  };
}

/** What a background workload saw: requests made, failures, the slowest answer. */
export interface WorkloadReport {
  requests: number;
  errors: string[];
  slowestMs: number;
}

/**
 * A normal client running beside a hostile one: creates a ConfigMap in `namespace`, reads it
 * back and lists, in a loop on its own connections, until stopped. Every answer it gets
 * must be a success; the slowest one is reported.
 */
export function startWorkload(server: Target, namespace = 'default'): { stop(): Promise<WorkloadReport> } {
  const report: WorkloadReport = { requests: 0, errors: [], slowestMs: 0 };
  let running = true;
  const timed = async (method: string, path: string, body?: string): Promise<RawResponse> => {
    const started = Date.now();
    const res = await request(server, method, path, body);
    report.slowestMs = Math.max(report.slowestMs, Date.now() - started);
    report.requests++;
    return res;
  };
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const name = `workload-${process.pid}-${i}`;
      const base = `/api/v1/namespaces/${namespace}/configmaps`;
      try {
        const created = await timed('POST', base, JSON.stringify({ metadata: { name }, data: { i: String(i) } }));
        if (created.status !== 201) report.errors.push(`create ${name}: ${created.status} ${created.text.slice(0, 200)}`);
        const got = await timed('GET', `${base}/${name}`);
        if (got.status !== 200) report.errors.push(`get ${name}: ${got.status}`);
        const list = await timed('GET', `${base}?limit=5`);
        if (list.status !== 200) report.errors.push(`list: ${list.status}`);
        const deleted = await timed('DELETE', `${base}/${name}`);
        if (deleted.status !== 200) report.errors.push(`delete ${name}: ${deleted.status}`);
      } catch (err) {
        report.errors.push(`${name}: ${(err as Error).message}`);
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return report;
    },
  };
}

/** Runs `hostile` while a workload runs; asserts the workload saw only successes, none slower than `slowestMs`. */
export async function withWorkload<T>(server: Target, hostile: () => Promise<T>, slowestMs = 1000): Promise<T> {
  const workload = startWorkload(server);
  // Let the workload get going so the hostile request lands in the middle of it.
  await new Promise((r) => setTimeout(r, 50));
  let result: T;
  try {
    result = await hostile();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    const report = await workload.stop();
    assert.deepEqual(report.errors, [], 'the concurrent workload saw errors');
    assert.ok(report.requests > 0, 'the concurrent workload ran');
    assert.ok(report.slowestMs < slowestMs, `the concurrent workload waited ${report.slowestMs} ms for an answer`);
  }
  return result;
}

/** A 64 KiB annotation, then `copies` operations each copying the annotations into themselves. */
export function copyAmplificationPatch(copies = 14): string {
  const ops: unknown[] = [{ op: 'add', path: '/metadata/annotations', value: { seed: 'x'.repeat(64 * 1024) } }];
  for (let i = 0; i < copies; i++) ops.push({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/copy${i}` });
  return JSON.stringify(ops);
}
