/**
 * When a ServiceCIDR being deleted may lose its protection finalizer (upstream's
 * service-cidr-controller canDeleteCIDR): when another ServiceCIDR holds its whole range, or
 * when no allocator-managed IPAddress would be left outside every other ServiceCIDR.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IPAddress, ServiceCIDR } from '../../gen/kube/networking-v1.js';
import { canRelease } from '../../src/server/servicecidr-controller.js';

const cidr = (name: string, ...cidrs: string[]): ServiceCIDR => ({ metadata: { name }, spec: { cidrs } }) as ServiceCIDR;
const managed = { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' };
const ip = (name: string, labels: Record<string, string> = managed): IPAddress => ({ metadata: { name, labels } }) as IPAddress;

describe('ServiceCIDR release', () => {
  const extra = cidr('extra', '10.96.0.0/24', 'fd00:96::/112');

  it('releases a ServiceCIDR no Service IP lies in', () => {
    assert.equal(canRelease(extra, [extra], [ip('10.0.0.1')]), true);
  });

  it('holds one with a Service IP only it contains, in either family', () => {
    assert.equal(canRelease(extra, [extra, cidr('kubernetes', '10.0.0.0/24')], [ip('10.96.0.7')]), false);
    assert.equal(canRelease(extra, [extra], [ip('fd00:96::5')]), false);
  });

  it('releases it when another ServiceCIDR holds the address or the whole range', () => {
    assert.equal(canRelease(extra, [extra, cidr('wide', '10.96.0.0/16')], [ip('10.96.0.7')]), true);
    assert.equal(canRelease(extra, [extra, cidr('twin', '10.96.0.0/24', 'fd00:96::/112')], [ip('10.96.0.7'), ip('fd00:96::5')]), true);
    // A narrower one holding the address but not the range still releases it, address by address.
    assert.equal(canRelease(extra, [extra, cidr('narrow', '10.96.0.0/28')], [ip('10.96.0.7')]), true);
    assert.equal(canRelease(extra, [extra, cidr('narrow', '10.96.0.0/28')], [ip('10.96.0.70')]), false);
  });

  it('ignores IPAddresses the Service allocator does not manage', () => {
    assert.equal(canRelease(extra, [extra], [ip('10.96.0.7', { 'ipaddress.kubernetes.io/managed-by': 'someone-else' })]), true);
  });
});
