/**
 * networking.k8s.io/v1 IPAddress and ServiceCIDR through kubectl 1.33: discovery, the
 * bootstrap `kubernetes` ServiceCIDR (Ready, from --service-cluster-ip-range), the Service
 * allocator's records served as IPAddresses, create/get/replace/patch/delete with
 * upstream's printer columns, validation in upstream's words (canonical names and CIDRs,
 * required parentRef, immutable fields), `/status`, and the `default/kubernetes`
 * EndpointSlice upstream's endpoints reconciler writes beside the Endpoints.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let ts: TestServer;
const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);
const ok = async (args: string[], stdin?: string): Promise<string> => {
  const r = await k(args, stdin);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const refused = async (args: string[], stdin?: string): Promise<string> => {
  const r = await k(args, stdin);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} succeeded: ${r.stdout}`);
  return r.stderr;
};
const json = async (args: string[]): Promise<Record<string, any>> => JSON.parse(await ok([...args, '-o', 'json'])) as Record<string, any>;
const rows = (out: string): string[][] => out.trim().split('\n').map((l) => l.trim().split(/\s+/));

const ipAddress = (name: string, spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', metadata: { name }, spec });
const serviceCidr = (name: string, cidrs: string[]) => JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name }, spec: { cidrs } });
const gateway = { group: 'gateway.networking.k8s.io', resource: 'gateways', namespace: 'default', name: 'edge' };

describe('networking.k8s.io/v1 IPAddress and ServiceCIDR (kubectl 1.33)', () => {
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts.stop();
  });

  it('lists both kinds in api-resources: cluster-scoped, ip the short name of IPAddress', async () => {
    const out = rows(await ok(['api-resources', '--api-group=networking.k8s.io', '--no-headers']));
    assert.deepEqual(out.find((r) => r[0] === 'ipaddresses'), ['ipaddresses', 'ip', 'networking.k8s.io/v1', 'false', 'IPAddress']);
    assert.deepEqual(out.find((r) => r[0] === 'servicecidrs'), ['servicecidrs', 'networking.k8s.io/v1', 'false', 'ServiceCIDR']);
  });

  it('bootstraps the kubernetes ServiceCIDR from the service range, Ready as upstream marks it', async () => {
    const out = rows(await ok(['get', 'servicecidrs']));
    assert.deepEqual(out[0], ['NAME', 'CIDRS', 'AGE']);
    assert.deepEqual(out.find((r) => r[0] === 'kubernetes')?.slice(0, 2), ['kubernetes', '10.0.0.0/24']);
    const cidr = await json(['get', 'servicecidr', 'kubernetes']);
    assert.deepEqual(cidr.spec, { cidrs: ['10.0.0.0/24'] });
    const [ready, ...others] = cidr.status.conditions as Record<string, string>[];
    assert.equal(others.length, 0);
    assert.equal(ready?.type, 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, '');
    assert.equal(ready?.message, 'Kubernetes default Service CIDR is ready');
    assert.match(String(ready?.lastTransitionTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('serves the Service allocator records: default/kubernetes holds the first address', async () => {
    const out = rows(await ok(['get', 'ipaddresses']));
    assert.deepEqual(out[0], ['NAME', 'PARENTREF']);
    assert.deepEqual(out.find((r) => r[0] === '10.0.0.1'), ['10.0.0.1', 'services/default/kubernetes']);
    const ip = await json(['get', 'ipaddress', '10.0.0.1']);
    assert.deepEqual(ip.metadata.labels, { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' });
    assert.deepEqual(ip.spec, { parentRef: { resource: 'services', namespace: 'default', name: 'kubernetes' } });
    assert.match(String(ip.metadata.uid), /^[0-9a-f-]{36}$/);
  });

  it('writes the default/kubernetes EndpointSlice naming this server beside the Endpoints', async () => {
    const slice = await json(['get', 'endpointslice', 'kubernetes', '-n', 'default']);
    assert.deepEqual(slice.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' });
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
    assert.deepEqual(slice.ports, [{ name: 'https', port: ts.server.httpPort, protocol: 'TCP' }]);
    const endpoints = await json(['get', 'endpoints', 'kubernetes', '-n', 'default']);
    assert.deepEqual(endpoints.metadata.labels, { 'endpointslice.kubernetes.io/skip-mirror': 'true' });
    assert.deepEqual(endpoints.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: ts.server.httpPort, protocol: 'TCP' }] }]);
  });

  it('creates, reads, replaces, patches and deletes an IPAddress; parentRef is fixed once set', async () => {
    await ok(['create', '-f', '-'], ipAddress('192.168.10.5', { parentRef: gateway }));
    assert.deepEqual(rows(await ok(['get', 'ipaddress', '192.168.10.5', '--no-headers'])), [['192.168.10.5', 'gateways.gateway.networking.k8s.io/default/edge']]);
    const got = await json(['get', 'ipaddress', '192.168.10.5']);
    assert.deepEqual(got.spec, { parentRef: gateway });
    got.metadata.annotations = { note: 'kept' };
    await ok(['replace', '-f', '-'], JSON.stringify(got));
    await ok(['patch', 'ipaddress', '192.168.10.5', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}']);
    const patched = await json(['get', 'ipaddress', '192.168.10.5']);
    assert.equal(patched.metadata.annotations.note, 'kept');
    assert.equal(patched.metadata.labels.tier, 'front');
    const err = await refused(['patch', 'ipaddress', '192.168.10.5', '--type=merge', '-p', '{"spec":{"parentRef":{"name":"other"}}}']);
    assert.match(err, /The IPAddress "192\.168\.10\.5" is invalid: spec\.parentRef: Invalid value: .*: field is immutable/);
    await ok(['delete', 'ipaddress', '192.168.10.5']);
    assert.match(await refused(['get', 'ipaddress', '192.168.10.5']), /ipaddresses\.networking\.k8s\.io "192\.168\.10\.5" not found/);
  });

  it('refuses IPAddresses as upstream: canonical IP names, a parentRef with resource and name', async () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['2001:db8:0:0:0::1', { parentRef: gateway }, ['metadata.name: Invalid value: "2001:db8:0:0:0::1": must be in canonical form ("2001:db8::1")']],
      ['192.168.010.5', { parentRef: gateway }, ['metadata.name: Invalid value: "192.168.010.5": must not have leading 0s']],
      ['edge', { parentRef: gateway }, ['metadata.name: Invalid value: "edge": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
      ['192.168.10.6', {}, ['spec.parentRef: Required value']],
      ['192.168.10.7', { parentRef: { group: 'example.com' } }, ['spec.parentRef.resource: Required value', 'spec.parentRef.name: Required value']],
      ['192.168.10.8', { parentRef: { resource: 'gateways', name: 'a/b' } }, [`spec.parentRef.name: Invalid value: "a/b": may not contain '/'`]],
    ];
    for (const [name, spec, messages] of cases) {
      const err = await refused(['create', '-f', '-'], ipAddress(name, spec));
      assert.ok(err.includes(`The IPAddress "${name}" is invalid:`), err);
      for (const m of messages) assert.ok(err.includes(m), `${name}: ${err}`);
    }
  });

  it('treats an IP someone else holds an IPAddress for as taken, and shows a Service IP only while the Service lives', async () => {
    await ok(['create', '-f', '-'], ipAddress('10.0.0.12', { parentRef: gateway }));
    const err = await refused(['create', 'service', 'clusterip', 'taken', '--clusterip=10.0.0.12', '--tcp=80:80']);
    assert.match(err, /failed to allocate IP 10\.0\.0\.12: provided IP is already allocated/);
    await ok(['delete', 'ipaddress', '10.0.0.12']);
    await ok(['create', 'service', 'clusterip', 'taken', '--clusterip=10.0.0.12', '--tcp=80:80']);
    assert.deepEqual(rows(await ok(['get', 'ipaddress', '10.0.0.12', '--no-headers'])), [['10.0.0.12', 'services/default/taken']]);
    await ok(['delete', 'service', 'taken']);
    assert.match(await refused(['get', 'ipaddress', '10.0.0.12']), /not found/);
  });

  it('writes a Service IP record again when it is deleted while the Service holds the IP, and the kubernetes ServiceCIDR too', async () => {
    const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
      const t0 = Date.now();
      while (!(await check())) {
        assert.ok(Date.now() - t0 < 2000, `${what} not back after 2s`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await ok(['create', 'service', 'clusterip', 'held', '--clusterip=10.0.0.13', '--tcp=80:80']);
    const before = await json(['get', 'ipaddress', '10.0.0.13']);
    await ok(['delete', 'ipaddress', '10.0.0.13']);
    await until('the IPAddress', async () => (await k(['get', 'ipaddress', '10.0.0.13'])).code === 0);
    const after = await json(['get', 'ipaddress', '10.0.0.13']);
    assert.notEqual(after.metadata.uid, before.metadata.uid);
    assert.deepEqual(after.spec, before.spec);
    assert.deepEqual(after.metadata.labels, before.metadata.labels);
    assert.match(await refused(['create', 'service', 'clusterip', 'second', '--clusterip=10.0.0.13', '--tcp=80:80']), /provided IP is already allocated/);
    await ok(['delete', 'service', 'held']);
    assert.match(await refused(['get', 'ipaddress', '10.0.0.13']), /not found/);

    // The kubernetes Service's IP lies only in the kubernetes ServiceCIDR: deleting it leaves it
    // Terminating, held by its finalizer, until another ServiceCIDR holds that address.
    const first = await json(['get', 'servicecidr', 'kubernetes']);
    assert.deepEqual(first.metadata.finalizers, ['networking.k8s.io/service-cidr-finalizer']);
    await ok(['delete', 'servicecidr', 'kubernetes', '--wait=false']);
    await until('the Terminating condition', async () => {
      const r = await k(['get', 'servicecidr', 'kubernetes', '-o', 'jsonpath={.status.conditions[0].reason}']);
      return r.code === 0 && r.stdout === 'Terminating';
    });
    const held = await json(['get', 'servicecidr', 'kubernetes']);
    assert.ok(held.metadata.deletionTimestamp);
    assert.deepEqual(
      held.status.conditions.map((c: Record<string, string>) => [c.type, c.status, c.reason, c.message]),
      [['Ready', 'False', 'Terminating', 'There are still IPAddresses referencing the ServiceCIDR, please remove them or create a new ServiceCIDR']],
    );
    // A wider ServiceCIDR takes the address over: after upstream's 10 s grace the finalizer
    // goes, the object with it, and the default controller creates the kubernetes ServiceCIDR again.
    await ok(['create', '-f', '-'], serviceCidr('cover', ['10.0.0.0/16']));
    const t0 = Date.now();
    for (;;) {
      const r = await k(['get', 'servicecidr', 'kubernetes', '-o', 'json']);
      if (r.code === 0) {
        const cur = JSON.parse(r.stdout);
        if (cur.metadata.uid !== first.metadata.uid && cur.status?.conditions?.[0]?.status === 'True') break;
      }
      assert.ok(Date.now() - t0 < 20_000, 'the kubernetes ServiceCIDR not released and created again after 20s');
      await new Promise((r) => setTimeout(r, 200));
    }
    // The grace runs from the deletionTimestamp (whole seconds, so up to one second early).
    const since = Date.now() - Date.parse(held.metadata.deletionTimestamp);
    assert.ok(since >= 9_000, `released ${since} ms after the deletionTimestamp, before the grace period`);
    assert.deepEqual((await json(['get', 'servicecidr', 'kubernetes'])).spec, { cidrs: ['10.0.0.0/24'] });
    await ok(['delete', 'servicecidr', 'cover', '--wait=false']);
  });

  it('creates a ServiceCIDR and keeps its CIDRs fixed, except a single-stack one gaining the other family', async () => {
    await ok(['create', '-f', '-'], serviceCidr('extra', ['10.96.0.0/16']));
    assert.deepEqual(rows(await ok(['get', 'servicecidr', 'extra', '--no-headers']))[0]?.slice(0, 2), ['extra', '10.96.0.0/16']);
    let err = await refused(['patch', 'servicecidr', 'extra', '--type=merge', '-p', '{"spec":{"cidrs":["10.97.0.0/16"]}}']);
    assert.ok(err.includes('The ServiceCIDR "extra" is invalid: spec.cidrs[0]: Invalid value: "10.97.0.0/16": field is immutable'), err);
    await ok(['patch', 'servicecidr', 'extra', '--type=merge', '-p', '{"spec":{"cidrs":["10.96.0.0/16","fd00:10:96::/112"]}}']);
    assert.deepEqual(rows(await ok(['get', 'servicecidr', 'extra', '--no-headers']))[0]?.slice(0, 2), ['extra', '10.96.0.0/16,fd00:10:96::/112']);
    err = await refused(['patch', 'servicecidr', 'extra', '--type=merge', '-p', '{"spec":{"cidrs":["10.96.0.0/16"]}}']);
    assert.match(err, /The ServiceCIDR "extra" is invalid: spec\.cidrs: Invalid value: .*10\.96\.0\.0\/16.*: field is immutable/);
    // The status subresource: conditions written there, the spec left as it was.
    // (Ready is the service-cidr-controller's; a condition of another type is left alone.)
    await ok(['patch', 'servicecidr', 'extra', '--subresource=status', '--type=merge', '-p', '{"spec":{"cidrs":["10.98.0.0/16"]},"status":{"conditions":[{"type":"Testing","status":"False","reason":"Testing","message":"m","lastTransitionTime":"2025-01-01T00:00:00Z"}]}}']);
    const got = await json(['get', 'servicecidr', 'extra']);
    assert.deepEqual(
      got.status.conditions.find((c: Record<string, string>) => c.type === 'Testing'),
      { type: 'Testing', status: 'False', reason: 'Testing', message: 'm', lastTransitionTime: '2025-01-01T00:00:00Z' },
    );
    assert.deepEqual(got.spec.cidrs, ['10.96.0.0/16', 'fd00:10:96::/112']);
    await ok(['delete', 'servicecidr', 'extra', '--wait=false']);
  });

  it('refuses ServiceCIDRs as upstream: one or two canonical CIDRs of different families', async () => {
    const cases: [string, string[], string][] = [
      ['none', [], 'spec.cidrs: Required value: at least one CIDR required'],
      ['hostbits', ['10.96.0.1/16'], 'spec.cidrs[0]: Invalid value: "10.96.0.1/16": must not have bits set beyond the prefix length'],
      ['notcidr', ['10.96.0.0'], 'spec.cidrs[0]: Invalid value: "10.96.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
      ['upper', ['FD00:10:96::/112'], 'spec.cidrs[0]: Invalid value: "FD00:10:96::/112": must be in canonical form ("fd00:10:96::/112")'],
      ['zeros', ['10.96.0.0/016'], 'spec.cidrs[0]: Invalid value: "10.96.0.0/016": must not have leading 0s in IP or prefix length'],
      ['twofour', ['10.96.0.0/16', '10.97.0.0/16'], 'may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64'],
      ['three', ['10.96.0.0/16', 'fd00::/112', '10.97.0.0/16'], 'may only hold up to 2 values'],
    ];
    for (const [name, cidrs, message] of cases) {
      const err = await refused(['create', '-f', '-'], serviceCidr(name, cidrs));
      assert.ok(err.includes(`The ServiceCIDR "${name}" is invalid:`) && err.includes(message), `${name}: ${err}`);
    }
  });
});

describe('ServiceCIDRs extend the Service range (kubectl 1.33, --service-cluster-ip-range=10.0.0.0/29)', () => {
  let small: TestServer;
  const ks = (args: string[], stdin?: string) => runKubectl(33, small.server.kubeconfigPath, args, stdin);
  before(async () => {
    small = await startTestServer({ serviceClusterIpRange: '10.0.0.0/29' });
  });
  after(async () => {
    await small.stop();
  });

  it('allocates from another ServiceCIDR once the default one is full, and a requested IP in it', async () => {
    // 10.0.0.1 is default/kubernetes'; five more fill the /29.
    for (let i = 0; i < 5; i++) {
      const r = await ks(['create', 'service', 'clusterip', `fill-${i}`, '--tcp=80:80']);
      assert.equal(r.code, 0, r.stderr);
    }
    let r = await ks(['create', 'service', 'clusterip', 'overflow', '--tcp=80:80']);
    assert.match(r.stderr, /Internal error occurred: failed to allocate a serviceIP: range is full/);
    r = await ks(['create', 'service', 'clusterip', 'wanted', '--clusterip=10.0.1.20', '--tcp=80:80']);
    assert.match(r.stderr, /failed to allocate IP 10\.0\.1\.20: the provided IP \(10\.0\.1\.20\) is not in the valid range\. The range of valid IPs is 10\.0\.0\.0\/29/);

    r = await ks(['create', '-f', '-'], serviceCidr('more', ['10.0.1.0/28']));
    assert.equal(r.code, 0, r.stderr);
    r = await ks(['create', 'service', 'clusterip', 'overflow', '--tcp=80:80']);
    assert.equal(r.code, 0, r.stderr);
    r = await ks(['get', 'service', 'overflow', '-o', 'jsonpath={.spec.clusterIP}']);
    assert.match(r.stdout, /^10\.0\.1\.([1-9]|1[0-4])$/);
    const ip = r.stdout;
    r = await ks(['get', 'ipaddress', ip, '--no-headers']);
    assert.deepEqual(r.stdout.trim().split(/\s+/), [ip, 'services/default/overflow']);
    r = await ks(['create', 'service', 'clusterip', 'wanted', '--clusterip=10.0.1.15', '--tcp=80:80']);
    assert.match(r.stderr, /failed to allocate IP 10\.0\.1\.15: the provided IP \(10\.0\.1\.15\) is not in the valid range/, 'the broadcast address is never handed out');
    const free = ip === '10.0.1.14' ? '10.0.1.13' : '10.0.1.14';
    r = await ks(['create', 'service', 'clusterip', 'wanted', `--clusterip=${free}`, '--tcp=80:80']);
    assert.equal(r.code, 0, r.stderr);

    // A ServiceCIDR being deleted (its finalizer holds it for the grace period) is not drawn from.
    r = await ks(['delete', 'service', 'overflow', 'wanted']);
    assert.equal(r.code, 0, r.stderr);
    r = await ks(['get', 'servicecidr', 'more', '-o', 'jsonpath={.metadata.finalizers}']);
    assert.equal(r.stdout, '["networking.k8s.io/service-cidr-finalizer"]');
    r = await ks(['delete', 'servicecidr', 'more', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    r = await ks(['get', 'servicecidr', 'more', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    assert.match(r.stdout, /^\d{4}-/);
    r = await ks(['create', 'service', 'clusterip', 'overflow', '--tcp=80:80']);
    assert.match(r.stderr, /failed to allocate a serviceIP: range is full/);
  });
});
