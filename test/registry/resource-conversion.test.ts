/**
 * resource.k8s.io v1beta1 ⇄ v1beta2 conversion on the shapes upstream's conversion code
 * distinguishes: a v1beta1 request gets `exactly` only when it sets one of its own fields, a
 * v1beta2 device goes under `basic`, and a slice's unset node fields stay unset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { claimToV1beta1, claimToV1beta2, sameStored, sliceToV1beta1, sliceToV1beta2 } from '../../src/registry/resource/conversion.js';

const claim = (requests: unknown[]): KubeObject => ({ apiVersion: 'resource.k8s.io/v1beta1', kind: 'ResourceClaim', metadata: { name: 'c' }, spec: { devices: { requests } } });
const requestsOf = (obj: KubeObject): unknown => (obj as { spec: { devices: { requests: unknown } } }).spec.devices.requests;

describe('resource.k8s.io v1beta1 ⇄ v1beta2', () => {
  it('a v1beta1 request with its own fields is `exactly` in v1beta2, and back', () => {
    const v1 = claim([{ name: 'gpu', deviceClassName: 'gpu.example.com', count: 2, allocationMode: 'ExactCount' }]);
    const v2 = claimToV1beta2(v1);
    assert.deepEqual(requestsOf(v2), [{ name: 'gpu', exactly: { deviceClassName: 'gpu.example.com', count: 2, allocationMode: 'ExactCount' } }]);
    assert.deepEqual(claimToV1beta1(v2), v1);
  });

  it('a v1beta1 request with only subrequests, or with nothing, has no `exactly`', () => {
    const first = [{ name: 'a', deviceClassName: 'gpu.example.com' }];
    assert.deepEqual(requestsOf(claimToV1beta2(claim([{ name: 'gpu', firstAvailable: first }]))), [{ name: 'gpu', firstAvailable: first }]);
    assert.deepEqual(requestsOf(claimToV1beta2(claim([{ name: 'gpu' }]))), [{ name: 'gpu' }]);
    // Both: both, for validation to refuse.
    assert.deepEqual(requestsOf(claimToV1beta2(claim([{ name: 'gpu', deviceClassName: 'x', firstAvailable: first }]))), [{ name: 'gpu', exactly: { deviceClassName: 'x' }, firstAvailable: first }]);
  });

  it('slices: flat v1beta2 devices under `basic`; unset node fields stay unset', () => {
    const v2: KubeObject = { apiVersion: 'resource.k8s.io/v1beta2', kind: 'ResourceSlice', metadata: { name: 's' }, spec: { driver: 'd.example.com', allNodes: true, pool: { name: 'p', generation: 1, resourceSliceCount: 1 }, devices: [{ name: 'x', attributes: { a: { int: 1 } }, taints: [{ key: 'k', effect: 'NoSchedule' }] }] } };
    const v1 = sliceToV1beta1(v2);
    assert.deepEqual((v1 as { spec: { devices: unknown } }).spec.devices, [{ name: 'x', basic: { attributes: { a: { int: 1 } }, taints: [{ key: 'k', effect: 'NoSchedule' }] } }]);
    assert.deepEqual(sliceToV1beta2(v1), v2);
    const stored: KubeObject = { spec: { driver: 'd', nodeName: '', allNodes: false, devices: [] } };
    assert.deepEqual(sliceToV1beta2(stored), { spec: { driver: 'd', devices: [] } });
  });

  it('the immutability check ignores what storage adds (zero values, empty objects)', () => {
    assert.ok(sameStored({ metadata: {}, spec: { devices: { requests: [{ name: 'a', deviceClassName: '' }] } } }, { spec: { devices: { requests: [{ name: 'a' }] } } }));
    assert.ok(!sameStored({ devices: { requests: [{ name: 'a' }] } }, { devices: { requests: [{ name: 'b' }] } }));
  });
});
