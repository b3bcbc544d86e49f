/**
 * LeaseCandidate and ClusterTrustBundle rules as upstream's ValidateLeaseCandidate and
 * ValidateClusterTrustBundle word them, and the helpers under them: strict semantic
 * versions (blang/semver's Parse) and PEM blocks read as Go's pem.Decode reads them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { clusterTrustBundles } from '../../src/registry/certificates/clustertrustbundles.js';
import { leaseCandidates } from '../../src/registry/coordination/leasecandidates.js';
import { compareSemver, parseSemver } from '../../src/util/semver.js';
import { decodeAllPem } from '../../src/util/pem.js';
import { TEST_CA_PEM, TEST_LEAF_PEM } from '../helpers/test-certs.js';
import { render } from './harness.js';

const lc = (spec: Record<string, unknown>): string[] => render(leaseCandidates.strategy.validate?.({ metadata: { name: 'c' }, spec } as KubeObject) ?? []);
const ctb = (spec: Record<string, unknown>): string[] => render(clusterTrustBundles.strategy.validate?.({ metadata: { name: 'b' }, spec } as KubeObject) ?? []);

describe('semantic versions', () => {
  it('parses strictly, as blang/semver', () => {
    for (const ok of ['1.33.0', '0.0.1', '1.2.3-alpha.1', '1.2.3+build.5', '1.2.3-rc-1+b']) assert.ok(parseSemver(ok), ok);
    for (const bad of ['', 'v1.33.0', '1.33', '1.2.3.4', '01.2.3', '1.2.3-', '1.2.3-01', '1.2.3+', '1.2.x']) assert.equal(parseSemver(bad), undefined, bad);
  });
  it('orders by precedence: prereleases before the release, numbers before words', () => {
    const order = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.1.0'];
    for (let i = 1; i < order.length; i++) assert.equal(compareSemver(parseSemver(order[i - 1]!)!, parseSemver(order[i]!)!), -1, `${order[i - 1]} < ${order[i]}`);
    assert.equal(compareSemver(parseSemver('1.0.0+a')!, parseSemver('1.0.0+b')!), 0);
  });
});

describe('PEM blocks', () => {
  it('skips text around blocks and malformed blocks, and reads headers', () => {
    const blocks = decodeAllPem(`junk\n-----BEGIN X-----\nnot base64!\n-----END X-----\n${TEST_CA_PEM}\n-----BEGIN Y-----\nK: v\n\nAAAA\n-----END Y-----\n`);
    assert.deepEqual(blocks.map((b) => [b.type, b.headers]), [['CERTIFICATE', {}], ['Y', { K: 'v' }]]);
  });
});

describe('LeaseCandidate validation', () => {
  const spec = { leaseName: 'kube-scheduler', binaryVersion: '1.33.0', emulationVersion: '1.32.0', strategy: 'OldestEmulationVersion' };
  it('accepts a sound candidate', () => assert.deepEqual(lc(spec), []));
  it('requires the lease, the binary version and the strategy', () => {
    assert.deepEqual(lc({}), ['spec.leaseName: Required value', 'spec.binaryVersion: Required value', 'spec.strategy: Required value']);
  });
  it('checks versions and their order', () => {
    assert.deepEqual(lc({ ...spec, binaryVersion: 'v1.33' }), [
      'spec.binaryVersion: Invalid value: "v1.33": must be a valid semantic version',
      'spec.binaryVersion: Invalid value: "v1.33": must be greater than or equal to `emulationVersion`',
    ]);
    assert.deepEqual(lc({ ...spec, binaryVersion: '1.31.0' }), ['spec.binaryVersion: Invalid value: "1.31.0": must be greater than or equal to `emulationVersion`']);
    assert.deepEqual(lc({ ...spec, emulationVersion: undefined }), ["spec.emulationVersion: Required value: must be specified when `strategy` is 'OldestEmulationVersion'"]);
  });
  it('knows one strategy and takes qualified others', () => {
    assert.deepEqual(lc({ ...spec, strategy: 'Newest' }), ['spec.strategy.strategy: Unsupported value: "Newest": supported values: "OldestEmulationVersion"']);
    assert.deepEqual(lc({ ...spec, strategy: 'example.com/Newest' }), []);
  });
  it('names are ConfigMap keys; the lease name is fixed', () => {
    assert.deepEqual(leaseCandidates.nameValidator('kube-scheduler-node_1.'), []);
    assert.equal(leaseCandidates.nameValidator('a/b').length, 1);
    const old = { metadata: { name: 'c' }, spec } as KubeObject;
    const next = { metadata: { name: 'c' }, spec: { ...spec, leaseName: 'other' } } as KubeObject;
    assert.deepEqual(render(leaseCandidates.strategy.validateUpdate?.(next, old) ?? []), ['spec.leaseName: Invalid value: "other": field is immutable']);
  });
});

describe('ClusterTrustBundle validation', () => {
  it('accepts CA certificates', () => assert.deepEqual(ctb({ trustBundle: TEST_CA_PEM }), []));
  it('refuses other blocks, headers, leaf certificates, duplicates and emptiness', () => {
    assert.deepEqual(ctb({ trustBundle: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }), ['spec.trustBundle: Invalid value: "<value omitted>": entry 0 has bad block type: PRIVATE KEY']);
    assert.deepEqual(ctb({ trustBundle: TEST_CA_PEM.replace('-----\n', '-----\nProc-Type: 4\n\n') }), ['spec.trustBundle: Invalid value: "<value omitted>": entry 0 has PEM block headers']);
    assert.deepEqual(ctb({ trustBundle: TEST_LEAF_PEM }), ['spec.trustBundle: Invalid value: "<value omitted>": entry 0 does not have the CA bit set']);
    assert.deepEqual(ctb({ trustBundle: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }), ['spec.trustBundle: Invalid value: "<value omitted>": entry 0 does not parse as X.509']);
    assert.deepEqual(ctb({ trustBundle: `${TEST_CA_PEM}\n${TEST_CA_PEM}` }), ['spec.trustBundle: Invalid value: "<value omitted>": duplicate trust anchor (indices [0 1])']);
    assert.deepEqual(ctb({ trustBundle: 'nothing here' }), ['spec.trustBundle: Invalid value: "<value omitted>": at least one trust anchor must be provided']);
    assert.deepEqual(ctb({ trustBundle: 'x'.repeat(1024 * 1024 + 1) }), ['spec.trustBundle: Too long: may not be more than 1048576 bytes']);
  });
  it('names a signer bundle after its signer', () => {
    const name = (n: string, signerName?: string): string[] => clusterTrustBundles.nameValidator(n, { spec: { signerName } } as KubeObject);
    assert.deepEqual(name('example.com:signer:one', 'example.com/signer'), []);
    assert.deepEqual(name('other', 'example.com/signer'), ['ClusterTrustBundle for signerName example.com/signer must be named with prefix example.com:signer:']);
    assert.deepEqual(name('a:b'), ['ClusterTrustBundle without signer name must not have ":" in its name']);
    assert.deepEqual(name('plain'), []);
  });
});
