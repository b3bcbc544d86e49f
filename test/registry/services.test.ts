import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { services } from '../../src/registry/core/services.js';
import { ipv4ToNumber } from '../../src/machinery/validation/ip.js';

/** Inside upstream's default 10.0.0.0/24, neither the network nor the broadcast address. */
const inServiceCidr = (ip: string): boolean => {
  const n = (ipv4ToNumber(ip) ?? 0) - (ipv4ToNumber('10.0.0.0') ?? 0);
  return n >= 1 && n <= 254;
};
import { type Harness, harness, rejectsInvalid } from './harness.js';

const svc = (spec: Record<string, unknown>, name = 'web'): KubeObject => ({ metadata: { name }, spec });
type Spec = Record<string, unknown> & { ports: Record<string, unknown>[] };

describe('services', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(services);
  });
  afterEach(() => h.close());

  it('has upstream discovery facts', () => {
    assert.deepEqual(services.shortNames, ['svc']);
    assert.deepEqual(services.categories, ['all']);
    assert.equal(services.returnDeletedObject, true);
    assert.ok(services.statusStrategy);
  });

  it('defaults and allocates a cluster IP in 10.0.0.0/24', async () => {
    const created = await h.store.create('default', svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }), {});
    const spec = created.spec as Spec;
    assert.equal(spec.type, 'ClusterIP');
    assert.equal(spec.sessionAffinity, 'None');
    assert.equal(spec.internalTrafficPolicy, 'Cluster');
    assert.deepEqual(spec.ipFamilies, ['IPv4']);
    assert.equal(spec.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.ok(inServiceCidr(String(spec.clusterIP)), String(spec.clusterIP));
    assert.deepEqual(spec.clusterIPs, [spec.clusterIP]);
    assert.deepEqual(created.status, { loadBalancer: {} });
  });

  it('keeps a requested cluster IP and rejects one outside the range', async () => {
    const created = await h.store.create('default', svc({ clusterIP: '10.0.0.10', ports: [{ port: 53, protocol: 'UDP' }] }), {});
    assert.deepEqual((created.spec as Spec).clusterIPs, ['10.0.0.10']);
    await rejectsInvalid(
      h.store.create('default', svc({ clusterIP: '192.168.0.1', ports: [{ port: 80 }] }, 'out'), {}),
      'Service "out" is invalid: spec.clusterIPs: Invalid value: []string{"192.168.0.1"}: failed to allocate IP 192.168.0.1: the provided IP (192.168.0.1) is not in the valid range. The range of valid IPs is 10.0.0.0/24',
    );
  });

  it('allocates node ports for NodePort services', async () => {
    const created = await h.store.create('default', svc({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] }), {});
    const spec = created.spec as Spec;
    const nodePort = Number(spec.ports[0]?.nodePort);
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
    assert.equal(spec.ports[0]?.targetPort, 'http');
    assert.equal(spec.externalTrafficPolicy, 'Cluster');
  });

  it('requires ports unless headless or ExternalName', async () => {
    await rejectsInvalid(h.store.create('default', svc({}), {}), 'Service "web" is invalid: spec.ports: Required value');
    const headless = await h.store.create('default', svc({ clusterIP: 'None' }, 'headless'), {});
    assert.deepEqual((headless.spec as Spec).clusterIPs, ['None']);
    const ext = await h.store.create('default', svc({ type: 'ExternalName', externalName: 'example.com' }, 'ext'), {});
    assert.equal((ext.spec as Spec).clusterIP, undefined);
    assert.equal((ext.spec as Spec).ipFamilies, undefined);
  });

  it('uses DNS-1035 names and upstream port messages', async () => {
    await rejectsInvalid(
      h.store.create('default', svc({ ports: [{ port: 80 }] }, '1web'), {}),
      `Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
    await rejectsInvalid(
      h.store.create('default', svc({ ports: [{ port: 80 }, { port: 0, name: 'b' }] }), {}),
      'Service "web" is invalid: [spec.ports[0].name: Required value, spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]',
    );
  });

  it('refuses a (protocol, port) or (protocol, nodePort) pair twice, printing the key as upstream', async () => {
    await rejectsInvalid(
      h.store.create('default', svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, targetPort: 8080 }, { name: 'c', port: 80, protocol: 'UDP' }] }), {}),
      'Service "web" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    );
    await rejectsInvalid(
      h.store.create('default', svc({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30123 }, { name: 'b', port: 81, nodePort: 30123 }] }), {}),
      'Service "web" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:0, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:30123}',
    );
  });

  it('carries allocated values over an update that omits them and forbids changing the cluster IP', async () => {
    const created = await h.store.create('default', svc({ type: 'NodePort', ports: [{ port: 80 }] }), {});
    const ip = (created.spec as Spec).clusterIP;
    const nodePort = (created.spec as Spec).ports[0]?.nodePort;
    const replaced = await h.store.update(
      'default',
      'web',
      (cur) => ({ metadata: cur.metadata, spec: { type: 'NodePort', ports: [{ port: 80 }], selector: { app: 'v2' } } }),
      { target: 'main' },
    );
    assert.equal((replaced.spec as Spec).clusterIP, ip);
    assert.equal((replaced.spec as Spec).ports[0]?.nodePort, nodePort);
    await rejectsInvalid(
      h.store.update('default', 'web', (cur) => ({ ...cur, spec: { ...(cur.spec as object), clusterIP: '10.0.0.99', clusterIPs: ['10.0.0.99'] } }), {
        target: 'main',
      }),
      'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.0.0.99"}: may not change once set',
    );
  });
});

describe('service type changes', () => {
  it('drops node ports the client left unchanged when going back to ClusterIP', async () => {
    const h = harness(services);
    try {
      await h.store.create('default', svc({ type: 'NodePort', ports: [{ port: 80 }] }), {});
      const back = await h.store.update('default', 'web', (cur) => ({ ...cur, spec: { ...(cur.spec as object), type: 'ClusterIP' } }), {
        target: 'main',
      });
      const spec = back.spec as Spec;
      assert.deepEqual(spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
      assert.equal(spec.externalTrafficPolicy, undefined);
      await rejectsInvalid(
        h.store.update('default', 'web', (cur) => ({ ...cur, spec: { ...(cur.spec as object), ports: [{ port: 80, nodePort: 30080 }] } }), {
          target: 'main',
        }),
        "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      );
    } finally {
      await h.close();
    }
  });
});

describe('service allocation', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(services);
  });
  afterEach(() => h.close());
  const nodePortOf = (o: KubeObject): number => Number((o.spec as Spec).ports[0]?.nodePort);

  it('refuses a taken IP or port with upstream\'s messages and frees them on delete', async () => {
    await h.store.create('default', svc({ type: 'NodePort', clusterIP: '10.0.0.20', ports: [{ port: 80, nodePort: 30080 }] }, 'a'), {});
    await rejectsInvalid(
      h.store.create('default', svc({ clusterIP: '10.0.0.20', ports: [{ port: 80 }] }, 'b'), {}),
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.20"}: failed to allocate IP 10.0.0.20: provided IP is already allocated',
    );
    await rejectsInvalid(
      h.store.create('default', svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }, 'b'), {}),
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    await rejectsInvalid(
      h.store.create('default', svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 40000 }] }, 'b'), {}),
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    await h.store.delete('default', 'a', {});
    const b = await h.store.create('default', svc({ type: 'NodePort', clusterIP: '10.0.0.20', ports: [{ port: 80, nodePort: 30080 }] }, 'b'), {});
    assert.equal((b.spec as Spec).clusterIP, '10.0.0.20');
  });

  it('gives back what a refused or failed create took', async () => {
    await h.store.create('default', svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] }, 'a'), {});
    // Explicit IPs below the dynamic band (the first 16 of a /24), so no random pick can hold them.
    // The IP is taken first, then the port is refused: the IP must be free again.
    await assert.rejects(h.store.create('default', svc({ type: 'NodePort', clusterIP: '10.0.0.3', ports: [{ port: 80, nodePort: 30081 }] }, 'b'), {}));
    // A create that loses on the name gives its IP back too.
    await assert.rejects(h.store.create('default', svc({ clusterIP: '10.0.0.4', ports: [{ port: 80 }] }, 'a'), {}));
    await h.store.create('default', svc({ clusterIP: '10.0.0.3', ports: [{ port: 80 }] }, 'c'), {});
    await h.store.create('default', svc({ clusterIP: '10.0.0.4', ports: [{ port: 80 }] }, 'd'), {});
  });

  it('releases node ports on a type change and the IP on ExternalName', async () => {
    const created = await h.store.create('default', svc({ type: 'NodePort', clusterIP: '10.0.0.40', ports: [{ port: 80 }] }), {});
    const port = nodePortOf(created);
    await h.store.update('default', 'web', (cur) => ({ ...cur, spec: { ...(cur.spec as object), type: 'ClusterIP' } }), { target: 'main' });
    const other = await h.store.create('default', svc({ type: 'NodePort', ports: [{ port: 80, nodePort: port }] }, 'other'), {});
    assert.equal(nodePortOf(other), port);
    await h.store.update('default', 'web', (cur) => ({ ...cur, spec: { type: 'ExternalName', externalName: 'example.com' } }), { target: 'main' });
    await h.store.create('default', svc({ clusterIP: '10.0.0.40', ports: [{ port: 80 }] }, 'third'), {});
  });

  it('never hands one value out twice under concurrency', async () => {
    const made = await Promise.all(Array.from({ length: 40 }, (_, i) => h.store.create('default', svc({ type: 'NodePort', ports: [{ port: 80 }] }, `s${i}`), {})));
    assert.equal(new Set(made.map((o) => (o.spec as Spec).clusterIP)).size, 40);
    assert.equal(new Set(made.map(nodePortOf)).size, 40);
  });
});
