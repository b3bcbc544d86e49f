/**
 * certificates.k8s.io ClusterTrustBundle through kubectl 1.33: v1beta1 (off by default, a
 * beta introduced after 1.24, and the storage version) and v1alpha1 (alpha), each served only
 * when --runtime-config turns it on; upstream's name rule for a signer's bundles, its trust
 * bundle checks, the spec.signerName field selector and upstream's columns NAME SIGNERNAME.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TEST_CA_PEM, TEST_LEAF_PEM } from '../helpers/test-certs.js';

const BETA = 'certificates.k8s.io/v1beta1';
const ALPHA = 'certificates.k8s.io/v1alpha1';
let off: TestServer;
let on: TestServer;
const k = (ts: TestServer, args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);

async function ok(ts: TestServer, args: string[], stdin?: string): Promise<string> {
  const res = await k(ts, args, stdin);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout;
}

async function refused(obj: unknown, message: string): Promise<void> {
  const res = await k(on, ['create', '-f', '-'], JSON.stringify(obj));
  assert.notEqual(res.code, 0, res.stdout);
  assert.ok(res.stderr.includes(message), res.stderr);
}

const bundle = (apiVersion: string, name: string, spec: Record<string, unknown>) => ({ apiVersion, kind: 'ClusterTrustBundle', metadata: { name }, spec });

before(async () => {
  [off, on] = await Promise.all([startTestServer(), startTestServer({ runtimeConfig: `${BETA}=true,${ALPHA}=true` })]);
});
after(async () => {
  await Promise.all([off?.stop(), on?.stop()]);
});

describe('ClusterTrustBundle through kubectl 1.33', () => {
  it('discovery: neither version by default; both when turned on, certificates.k8s.io/v1 preferred', async () => {
    const versions = async (ts: TestServer) => (await ok(ts, ['api-versions'])).split('\n').filter((v) => v.startsWith('certificates.k8s.io/'));
    assert.deepEqual(await versions(off), ['certificates.k8s.io/v1']);
    assert.deepEqual(await versions(on), ['certificates.k8s.io/v1', ALPHA, BETA]);
    assert.match((await k(off, ['get', 'clustertrustbundles'])).stderr, /the server doesn't have a resource type "clustertrustbundles"/);
    const rows = (await ok(on, ['api-resources', '--api-group=certificates.k8s.io', '--no-headers'])).trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows, [
      ['certificatesigningrequests', 'csr', 'certificates.k8s.io/v1', 'false', 'CertificateSigningRequest'],
      ['clustertrustbundles', BETA, 'false', 'ClusterTrustBundle'],
    ]);
  });

  it('create through v1beta1 and v1alpha1, read through the other, select by signer, print, replace, delete', async () => {
    await ok(on, ['create', '-f', '-'], JSON.stringify(bundle(BETA, 'example.com:signer:roots', { signerName: 'example.com/signer', trustBundle: TEST_CA_PEM })));
    await ok(on, ['create', '-f', '-'], JSON.stringify(bundle(ALPHA, 'plain-roots', { trustBundle: TEST_CA_PEM })));
    const viaAlpha = JSON.parse(await ok(on, ['get', 'clustertrustbundles.v1alpha1.certificates.k8s.io', 'example.com:signer:roots', '-o', 'json']));
    assert.equal(viaAlpha.apiVersion, ALPHA);
    assert.deepEqual(viaAlpha.spec, { signerName: 'example.com/signer', trustBundle: TEST_CA_PEM });
    const viaBeta = JSON.parse(await ok(on, ['get', 'clustertrustbundle', 'plain-roots', '-o', 'json']));
    assert.equal(viaBeta.apiVersion, BETA);

    const table = (await ok(on, ['get', 'clustertrustbundles'])).trimEnd().split('\n');
    assert.match(table[0]!, /^NAME\s+SIGNERNAME$/);
    assert.match(table[1]!, /^example\.com:signer:roots\s+example\.com\/signer$/);
    assert.match(table[2]!, /^plain-roots\s+<none>$/);
    const selected = await ok(on, ['get', 'clustertrustbundles', '--field-selector', 'spec.signerName=example.com/signer', '-o', 'name']);
    assert.equal(selected.trim(), 'clustertrustbundle.certificates.k8s.io/example.com:signer:roots');

    viaBeta.metadata.annotations = { note: 'replaced' };
    await ok(on, ['replace', '-f', '-'], JSON.stringify(viaBeta));
    const replaced = JSON.parse(await ok(on, ['get', 'clustertrustbundle', 'plain-roots', '-o', 'json']));
    assert.equal(replaced.metadata.annotations.note, 'replaced');
    const resigned = await k(on, ['patch', 'clustertrustbundle', 'example.com:signer:roots', '--type=merge', '-p', '{"spec":{"signerName":"example.com/other"}}']);
    assert.notEqual(resigned.code, 0);
    assert.ok(resigned.stderr.includes('spec.signerName: Invalid value: "example.com/other": field is immutable'), resigned.stderr);

    await ok(on, ['delete', 'clustertrustbundles', 'example.com:signer:roots', 'plain-roots']);
    assert.equal((await ok(on, ['get', 'clustertrustbundles', '-o', 'name'])).trim(), '');
  });

  it("upstream's messages: the signer's name prefix, block types, the CA bit, an empty bundle", async () => {
    await refused(
      bundle(BETA, 'roots', { signerName: 'example.com/signer', trustBundle: TEST_CA_PEM }),
      'The ClusterTrustBundle "roots" is invalid: metadata.name: Invalid value: "roots": ClusterTrustBundle for signerName example.com/signer must be named with prefix example.com:signer:',
    );
    await refused(bundle(BETA, 'a:b', { trustBundle: TEST_CA_PEM }), 'The ClusterTrustBundle "a:b" is invalid: metadata.name: Invalid value: "a:b": ClusterTrustBundle without signer name must not have ":" in its name');
    await refused(
      bundle(BETA, 'keys', { trustBundle: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }),
      'The ClusterTrustBundle "keys" is invalid: spec.trustBundle: Invalid value: "<value omitted>": entry 0 has bad block type: PRIVATE KEY',
    );
    await refused(bundle(ALPHA, 'leaf', { trustBundle: TEST_LEAF_PEM }), 'The ClusterTrustBundle "leaf" is invalid: spec.trustBundle: Invalid value: "<value omitted>": entry 0 does not have the CA bit set');
    await refused(bundle(BETA, 'empty', { trustBundle: '' }), 'The ClusterTrustBundle "empty" is invalid: spec.trustBundle: Invalid value: "<value omitted>": at least one trust anchor must be provided');
  });
});
