/**
 * The server as a user starts it: TLS on both transports from the data directory's PKI, RBAC and
 * anonymous access only on the open paths; kubectl with the admin kubeconfig (client certificate);
 * `kubectl create token` giving a token with exactly the account's permissions, over HTTP and
 * gRPC, that stops working when the account is deleted; issuer discovery.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { credentials, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import type { ConfigMapList } from '../../gen/k8s/io/api/core/v1/config.js';
import { startServer } from '../../src/server/server.js';
import { DEFAULT_OPTIONS } from '../../src/server/options.js';
import { firstServiceIp, parseIpRange } from '../../src/registry/core/service-allocator.js';
import { describeCertificate } from '../../src/server/pki/certificates.js';
import { grpcFailure, unary } from '../parity/grpc-helpers.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { runKubectl } from '../helpers/kubectl.js';

const SECURE = { plainHttp: false, authorizationMode: 'RBAC', anonymousAuth: 'open-paths' as const };

describe('TLS, x509 and service account tokens (the defaults)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer(SECURE);
  });
  after(() => ts?.stop());

  it('serves HTTPS with a certificate naming the kubernetes Service, and refuses anonymous requests off the open paths', async () => {
    assert.match(ts.server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const cert = describeCertificate(ts.server.pki.serving.certPem);
    for (const name of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) {
      assert.ok(cert.dnsNames.includes(name), `SAN ${name} missing: ${cert.dnsNames.join(', ')}`);
    }
    for (const ip of ['127.0.0.1', firstServiceIp(parseIpRange(DEFAULT_OPTIONS.serviceClusterIpRange))]) assert.ok(cert.ipAddresses.includes(ip), `SAN ${ip} missing: ${cert.ipAddresses.join(', ')}`);
    const anon = await api(ts.server, 'GET', '/api/v1/namespaces/default/secrets');
    assert.equal(anon.status, 401);
    assert.equal(anon.body.reason, 'Unauthorized');
    assert.equal((await api(ts.server, 'GET', '/livez')).status, 200);
    const kubeconfig = await readFile(ts.server.kubeconfigPath, 'utf8');
    assert.match(kubeconfig, /certificate-authority-data: /);
    assert.match(kubeconfig, /client-certificate-data: /);
    assert.doesNotMatch(kubeconfig, /insecure-skip-tls-verify/);
  });

  it('kubectl with the admin kubeconfig authenticates by client certificate', async () => {
    const who = await runKubectl(33, ts.server.kubeconfigPath, ['auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    const user = JSON.parse(who.stdout).status.userInfo;
    assert.equal(user.username, 'admin');
    assert.deepEqual(user.groups, ['system:masters', 'system:authenticated']);
    const can = await runKubectl(33, ts.server.kubeconfigPath, ['auth', 'can-i', 'delete', 'secrets', '-A']);
    assert.equal(can.stdout.trim(), 'yes');
  });

  it('kubectl create token gives exactly the account permissions over HTTP and gRPC, until the account is deleted', async () => {
    const k = (args: string[]) => runKubectl(33, ts.server.kubeconfigPath, args);
    assert.equal((await k(['create', 'serviceaccount', 'bot'])).code, 0);
    assert.equal((await k(['create', 'rolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=default:bot'])).code, 0);
    assert.equal((await k(['create', 'configmap', 'seen', '--from-literal=a=b'])).code, 0);
    const created = await k(['create', 'token', 'bot']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    const bearer = { authorization: `Bearer ${token}` };

    const whoami = await api(ts.server, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, bearer);
    assert.equal(whoami.status, 201);
    assert.equal(whoami.body.status.userInfo.username, 'system:serviceaccount:default:bot');
    assert.deepEqual(whoami.body.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);

    assert.equal((await api(ts.server, 'GET', '/api/v1/namespaces/default/configmaps', undefined, bearer)).status, 200);
    const secrets = await api(ts.server, 'GET', '/api/v1/namespaces/default/secrets', undefined, bearer);
    assert.equal(secrets.status, 403);
    assert.equal(secrets.body.message, 'secrets is forbidden: User "system:serviceaccount:default:bot" cannot list resource "secrets" in API group "" in the namespace "default"');
    const elsewhere = await api(ts.server, 'GET', '/api/v1/namespaces/kube-system/configmaps', undefined, bearer);
    assert.equal(elsewhere.status, 403);

    // The same token over gRPC (TLS trusting the server's CA, no client certificate).
    const client = new ConfigMapServiceClient(ts.server.grpcAddress, credentials.createSsl(Buffer.from(ts.server.pki.trustedCaPem)));
    const md = new Metadata();
    md.set('authorization', `Bearer ${token}`);
    try {
      const list = await unary<ConfigMapList>((cb) => client.list({ namespace: 'default' }, md, cb));
      assert.ok(list.items.some((c) => c.metadata?.name === 'seen'));
      const denied = await grpcFailure(() => unary<ConfigMapList>((cb) => client.list({ namespace: 'kube-system' }, md, cb)));
      assert.equal(denied.grpcCode, GrpcStatus.PERMISSION_DENIED);
      assert.equal(denied.status.reason, 'Forbidden');

      // Issuer discovery: the service account may read the JWKS its token verifies against.
      const config = await api(ts.server, 'GET', '/.well-known/openid-configuration', undefined, bearer);
      assert.equal(config.status, 200);
      assert.equal(config.body.issuer, 'https://kubernetes.default.svc.cluster.local');
      assert.equal(config.body.jwks_uri, 'https://kubernetes.default.svc.cluster.local/openid/v1/jwks');
      const jwks = await api(ts.server, 'GET', '/openid/v1/jwks', undefined, bearer);
      assert.equal(jwks.status, 200);
      const header = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString('utf8'));
      assert.deepEqual(jwks.body.keys.map((key: { kid: string }) => key.kid), [header.kid]);

      assert.equal((await k(['delete', 'serviceaccount', 'bot'])).code, 0);
      const dead = await api(ts.server, 'GET', '/api/v1/namespaces/default/configmaps', undefined, bearer);
      assert.equal(dead.status, 401);
      assert.equal(dead.body.reason, 'Unauthorized');
      const deadGrpc = await grpcFailure(() => unary<ConfigMapList>((cb) => client.list({ namespace: 'default' }, md, cb)));
      assert.equal(deadGrpc.grpcCode, GrpcStatus.UNAUTHENTICATED);
      assert.equal(deadGrpc.status.reason, 'Unauthorized');
      // A tampered token (another signature) is refused too.
      const [h, c] = token.split('.');
      assert.equal((await api(ts.server, 'GET', '/version', undefined, { authorization: `Bearer ${h}.${c}.AAAA` })).status, 401);
    } finally {
      client.close();
    }
  });

  it('keeps its CA and serving certificate across a restart', async () => {
    const before = ts.server.pki;
    await ts.server.close();
    // ts.stop() closes the first server only: this one is closed here.
    const restarted = await startServer({ ...SECURE, dataDir: ts.dataDir, port: 0, grpcPort: 0, compactionIntervalSeconds: 0, logLevel: 'warn' });
    try {
      assert.equal(restarted.pki.trustedCaPem, before.trustedCaPem);
      assert.equal(restarted.pki.serving.certPem, before.serving.certPem);
      assert.equal(restarted.pki.serviceAccountKeyPem, before.serviceAccountKeyPem);
      const who = await runKubectl(33, restarted.kubeconfigPath, ['get', 'ns', 'default', '-o', 'name']);
      assert.equal(who.stdout.trim(), 'namespace/default');
    } finally {
      await restarted.close();
    }
  });

  it('refuses --plain-http on an address other hosts reach', async () => {
    await assert.rejects(startServer({ plainHttp: true, bindAddress: '0.0.0.0', dataDir: `${ts.dataDir}-plain`, port: 0, grpcPort: 0, logLevel: 'fatal' }), {
      message: '--plain-http serves without TLS and is only allowed on a loopback bind address, not 0.0.0.0',
    });
  });
});
