/**
 * apimachinery's strict IP and CIDR checks (IsValidIP, IsValidCIDR) as IPAddress names and
 * ServiceCIDR specs use them: upstream's messages for each way a value can fail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipFamilyOf, strictCidrProblems, strictIpProblems } from '../../src/machinery/validation/ip.js';

const BAD_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const BAD_CIDR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

describe('strict IP validation', () => {
  it('accepts canonical IPv4 and IPv6 addresses', () => {
    for (const ip of ['10.0.0.1', '0.0.0.0', '255.255.255.255', '2001:db8::1', '::1', '::', 'fe80::abc', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1']) {
      assert.deepEqual(strictIpProblems(ip), [], ip);
    }
  });
  it('refuses other forms with upstream messages', () => {
    const cases: [string, string][] = [
      ['10.01.2.3', 'must not have leading 0s'],
      ['2001:db8:0:0:0::1', 'must be in canonical form ("2001:db8::1")'],
      ['2001:DB8::1', 'must be in canonical form ("2001:db8::1")'],
      ['2001:db8:0:0:1:0:0:1', 'must be in canonical form ("2001:db8::1:0:0:1")'],
      ['::ffff:10.0.0.1', 'must not be an IPv4-mapped IPv6 address'],
      ['fe80::1%eth0', BAD_IP],
      ['10.0.0.1/32', BAD_IP],
      ['10.0.0.256', BAD_IP],
      ['web', BAD_IP],
      ['', BAD_IP],
    ];
    for (const [ip, message] of cases) assert.deepEqual(strictIpProblems(ip), [message], ip);
  });
});

describe('strict CIDR validation', () => {
  it('accepts canonical subnets', () => {
    for (const cidr of ['10.96.0.0/16', '0.0.0.0/0', '10.0.0.1/32', '2001:db8::/64', 'fd00:10:96::/112', '::/0']) {
      assert.deepEqual(strictCidrProblems(cidr), [], cidr);
    }
  });
  it('refuses other forms with upstream messages', () => {
    const cases: [string, string][] = [
      ['10.96.0.1/16', 'must not have bits set beyond the prefix length'],
      ['2001:db8::1/64', 'must not have bits set beyond the prefix length'],
      ['010.96.0.0/16', 'must not have leading 0s in IP or prefix length'],
      ['10.96.0.0/016', 'must not have leading 0s in IP or prefix length'],
      ['2001:DB8::/64', 'must be in canonical form ("2001:db8::/64")'],
      ['2001:db8:0:0::/64', 'must be in canonical form ("2001:db8::/64")'],
      ['::ffff:10.0.0.0/120', 'must not have an IPv4-mapped IPv6 address'],
      ['10.96.0.0', BAD_CIDR],
      ['10.96.0.0/33', BAD_CIDR],
      ['2001:db8::/129', BAD_CIDR],
      ['10.96.0.0/a', BAD_CIDR],
    ];
    for (const [cidr, message] of cases) assert.deepEqual(strictCidrProblems(cidr), [message], cidr);
  });
  it('tells the family of an address or CIDR', () => {
    assert.equal(ipFamilyOf('10.0.0.0/8'), 4);
    assert.equal(ipFamilyOf('2001:db8::/64'), 6);
    assert.equal(ipFamilyOf('10.0.0.1'), 4);
    assert.equal(ipFamilyOf('nope/8'), undefined);
  });
});
