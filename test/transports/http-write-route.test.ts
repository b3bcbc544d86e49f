/**
 * Resource writes over HTTP read their bodies off the node request, outside express: the same
 * answers as express's raw body parser gave (bodies in JSON, YAML, protobuf, chunked or
 * compressed; 413 over the limit, declared or not; 415 for an unknown type; 400 for an unknown
 * Content-Encoding or a corrupt one), and an upload cut off midway leaves the server serving.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { connectRaw, httpClient } from '../helpers/raw-http.js';
import { after, before, describe, it } from 'node:test';
import { gzipSync, deflateSync } from 'node:zlib';
import { MAX_REQUEST_BODY_BYTES } from '../../src/endpoints/request/body-size.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CM = '/api/v1/namespaces/default/configmaps';
const TOO_LARGE = `Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): any;
}

/**
 * One request through node:http; `chunks` are written one by one (chunked unless a
 * content-length header is given).
 */
function send(base: string, method: string, path: string, headers: Record<string, string | number>, chunks: (string | Buffer)[]): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpClient(base).request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: { accept: 'application/json', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

const configMap = (name: string, data: Record<string, string> = { k: 'v' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

describe('HTTP resource writes outside express', () => {
  let t: TestServer;
  let base: string;
  before(async () => {
    t = await startTestServer();
    base = t.server.url;
  });
  after(async () => {
    await t.stop();
  });

  it('creates from a JSON body with a declared length', async () => {
    const body = JSON.stringify(configMap('json-body'));
    const r = await send(base, 'POST', CM, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, [body]);
    assert.equal(r.status, 201);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['cache-control'], 'no-cache, private');
    assert.deepEqual(r.json().data, { k: 'v' });
    assert.equal(r.json().metadata.name, 'json-body');
  });

  it('creates from a chunked JSON body sent in pieces', async () => {
    const body = JSON.stringify(configMap('chunked-body', { k: 'x'.repeat(40_000) }));
    const pieces = [body.slice(0, 7), body.slice(7, 20_000), body.slice(20_000)];
    const r = await send(base, 'POST', CM, { 'content-type': 'application/json' }, pieces);
    assert.equal(r.status, 201);
    assert.equal(r.json().data.k.length, 40_000);
  });

  it('creates from a YAML body', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-body\ndata:\n  color: blue\n';
    const r = await send(base, 'POST', CM, { 'content-type': 'application/yaml' }, [yaml]);
    assert.equal(r.status, 201);
    assert.deepEqual(r.json().data, { color: 'blue' });
  });

  it('updates from a protobuf body', async () => {
    const c = await send(base, 'POST', CM, { 'content-type': 'application/json' }, [JSON.stringify(configMap('pb-body'))]);
    assert.equal(c.status, 201);
    const got = await send(base, 'GET', `${CM}/pb-body`, { accept: 'application/vnd.kubernetes.protobuf' }, []);
    assert.equal(got.status, 200);
    assert.equal(got.body.subarray(0, 4).toString('latin1'), 'k8s\u0000');
    const r = await send(base, 'PUT', `${CM}/pb-body`, { 'content-type': 'application/vnd.kubernetes.protobuf' }, [got.body]);
    assert.equal(r.status, 200);
    assert.equal(r.json().metadata.name, 'pb-body');
    // The same object back: a no-op update, nothing written.
    assert.equal(r.json().metadata.resourceVersion, c.json().metadata.resourceVersion);
  });

  it('patches from a merge-patch body and deletes with DeleteOptions', async () => {
    await send(base, 'POST', CM, { 'content-type': 'application/json' }, [JSON.stringify(configMap('patched'))]);
    const p = await send(base, 'PATCH', `${CM}/patched`, { 'content-type': 'application/merge-patch+json' }, ['{"data":{"k":"w"}}']);
    assert.equal(p.status, 200, p.body.toString());
    assert.deepEqual(p.json().data, { k: 'w' });
    const options = '{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0}';
    // node's client does not frame a DELETE's body by itself.
    const d = await send(base, 'DELETE', `${CM}/patched`, { 'content-type': 'application/json', 'content-length': options.length }, [options]);
    assert.equal(d.status, 200, d.body.toString());
    const gone = await send(base, 'GET', `${CM}/patched`, {}, []);
    assert.equal(gone.status, 404);
  });

  it('inflates gzip and deflate bodies', async () => {
    const gz = await send(base, 'POST', CM, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, [gzipSync(JSON.stringify(configMap('gzip-body')))]);
    assert.equal(gz.status, 201);
    assert.equal(gz.json().metadata.name, 'gzip-body');
    const df = await send(base, 'POST', CM, { 'content-type': 'application/json', 'content-encoding': 'Deflate' }, [deflateSync(JSON.stringify(configMap('deflate-body')))]);
    assert.equal(df.status, 201);
  });

  it('answers 400 for an unknown or corrupt Content-Encoding', async () => {
    const unknown = await send(base, 'POST', CM, { 'content-type': 'application/json', 'content-encoding': 'compress' }, ['{}']);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json().reason, 'BadRequest');
    assert.equal(unknown.json().message, 'unsupported content encoding "compress"');
    const corrupt = await send(base, 'POST', CM, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, ['not gzip at all']);
    assert.equal(corrupt.status, 400);
    assert.equal(corrupt.json().reason, 'BadRequest');
    assert.equal(corrupt.json().message, 'incorrect header check');
  });

  it('answers 415 for an unknown Content-Type', async () => {
    const r = await send(base, 'POST', CM, { 'content-type': 'text/plain' }, ['name: x']);
    assert.equal(r.status, 415);
    assert.equal(r.json().reason, 'UnsupportedMediaType');
  });

  it('answers 413 at once for a declared length over the limit, and closes the connection', async () => {
    const r = await send(base, 'POST', CM, { 'content-type': 'application/json', 'content-length': MAX_REQUEST_BODY_BYTES + 1 }, []);
    assert.equal(r.status, 413);
    assert.equal(r.headers.connection, 'close');
    assert.equal(r.json().reason, 'RequestEntityTooLarge');
    assert.equal(r.json().message, TOO_LARGE);
  });

  it('answers 413 for a chunked body that passes the limit, and for one that inflates past it', async () => {
    const piece = Buffer.alloc(1024 * 1024, 0x20);
    const r = await send(base, 'POST', CM, { 'content-type': 'application/json' }, [piece, piece, piece, piece]);
    assert.equal(r.status, 413);
    assert.equal(r.json().message, TOO_LARGE);
    const bomb = gzipSync(Buffer.alloc(MAX_REQUEST_BODY_BYTES + 1, 0x20));
    const z = await send(base, 'POST', CM, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, [bomb]);
    assert.equal(z.status, 413);
    assert.equal(z.json().message, TOO_LARGE);
  });

  it('takes a body of exactly the limit', async () => {
    const body = Buffer.alloc(MAX_REQUEST_BODY_BYTES, 0x20);
    const json = Buffer.from(JSON.stringify(configMap('at-limit')));
    json.copy(body);
    const r = await send(base, 'POST', CM, { 'content-type': 'application/json', 'content-length': body.length }, [body]);
    assert.equal(r.status, 201);
  });

  it('survives an upload cut off midway and keeps serving', async () => {
    const url = new URL(base);
    await new Promise<void>((resolve, reject) => {
      const socket = connectRaw({ httpPort: Number(url.port), url: base }, () => {
        socket.write(`POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cut-off"}`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      const socket = connectRaw({ httpPort: Number(url.port), url: base }, () => {
        socket.write(`PUT ${CM}/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"apiVersion":"v`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    const gone = await send(base, 'GET', `${CM}/cut-off`, {}, []);
    assert.equal(gone.status, 404);
    const body = JSON.stringify(configMap('after-cut'));
    const r = await send(base, 'POST', CM, { 'content-type': 'application/json' }, [body]);
    assert.equal(r.status, 201);
  });
});
