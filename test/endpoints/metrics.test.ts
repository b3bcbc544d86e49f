/** /metrics: request counters recorded once in the pipeline, for HTTP and gRPC alike. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { api, startTestServer, type TestServer, grpcCredentials } from '../helpers/server.js';
import { unary } from '../parity/grpc-helpers.js';

function sample(text: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`apiserver_request_total{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('/metrics', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  it('counts requests by verb, resource, scope and code over both transports', async () => {
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'm1' } })).status, 201);
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'm1' } })).status, 409);
    assert.equal((await api(ts.server, 'GET', '/api/v1/namespaces/default/configmaps/m1')).status, 200);
    const client = new ConfigMapServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      await unary((cb) => client.get({ namespace: 'default', name: 'm1' }, cb));
    } finally {
      client.close();
    }
    const res = await fetch(`${ts.server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    const cm = 'verb="%s",group="",version="v1",resource="configmaps",subresource="",scope="%s",code="%s"';
    const labels = (verb: string, scope: string, code: number): string => cm.replace('%s', verb).replace('%s', scope).replace('%s', String(code));
    assert.equal(sample(text, labels('CREATE', 'namespace', 201)), 1);
    assert.equal(sample(text, labels('CREATE', 'namespace', 409)), 1);
    assert.equal(sample(text, labels('GET', 'resource', 200)), 2, 'one HTTP and one gRPC get');
    assert.match(text, /^apiserver_request_duration_seconds_bucket\{/m);
    assert.match(text, /^process_cpu_user_seconds_total /m);
  });

  it('counts undecodable bodies like any other request, over both transports', async () => {
    const bad = await api(ts.server, 'POST', '/api/v1/namespaces/default/configmaps', '{bad');
    assert.equal(bad.status, 400);
    const client = new ConfigMapServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    try {
      await assert.rejects(unary((cb) => client.create({ namespace: 'default', raw: Buffer.from('{bad'), contentType: 'application/json' }, cb)));
    } finally {
      client.close();
    }
    const text = await (await fetch(`${ts.server.url}/metrics`)).text();
    const labels = 'verb="CREATE",group="",version="v1",resource="configmaps",subresource="",scope="namespace",code="400"';
    assert.equal(sample(text, labels), 2, 'one HTTP and one gRPC undecodable create');
  });
});
