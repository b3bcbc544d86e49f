/**
 * networking.k8s.io/v1 Ingress, IngressClass, NetworkPolicy; discovery.k8s.io/v1
 * EndpointSlice; node.k8s.io/v1 RuntimeClass; storage.k8s.io/v1 StorageClass through
 * kubectl 1.33: create, get (with upstream's defaults and printer columns), list, update
 * (replace), patch and delete, and one validation failure per kind in upstream's words.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let ts: TestServer;
const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);

interface Case {
  resource: string;
  name: string;
  namespaced: boolean;
  manifest: Record<string, unknown>;
  /** Paths (dot-separated) and the values upstream's defaulting gives them. */
  defaults: Record<string, unknown>;
  /** The header line of `kubectl get` (upstream's printer columns). */
  header: RegExp;
  /** A merge patch and the path it changes. */
  patch: { body: Record<string, unknown>; path: string; value: unknown };
  invalid: { manifest: Record<string, unknown>; message: string };
}

const meta = (name: string, namespaced: boolean) => (namespaced ? { name, namespace: 'default' } : { name });

const ingress = (name: string, path: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: meta(name, true),
  spec: { ingressClassName: 'nginx', rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } }, ...path }] } }] },
});

const CASES: Case[] = [
  {
    resource: 'ingresses',
    name: 'web',
    namespaced: true,
    manifest: ingress('web', { pathType: 'Prefix' }),
    defaults: { 'spec.rules.0.http.paths.0.pathType': 'Prefix' },
    header: /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/,
    patch: { body: { spec: { ingressClassName: 'traefik' } }, path: 'spec.ingressClassName', value: 'traefik' },
    invalid: { manifest: ingress('nopathtype', {}), message: 'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified' },
  },
  {
    resource: 'ingressclasses',
    name: 'nginx',
    namespaced: false,
    manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } },
    defaults: { 'spec.parameters.scope': 'Cluster' },
    header: /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE$/,
    patch: { body: { metadata: { labels: { tier: 'edge' } } }, path: 'metadata.labels.tier', value: 'edge' },
    invalid: { manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nocontroller' }, spec: {} }, message: 'spec.controller: Required value' },
  },
  {
    resource: 'networkpolicies',
    name: 'allow-web',
    namespaced: true,
    manifest: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-web', true),
      spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ port: 80 }] }], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }] },
    },
    defaults: { 'spec.ingress.0.ports.0.protocol': 'TCP', 'spec.policyTypes': ['Ingress', 'Egress'] },
    header: /^NAME\s+POD-SELECTOR\s+AGE$/,
    patch: { body: { spec: { podSelector: { matchLabels: { app: 'api' } } } }, path: 'spec.podSelector.matchLabels.app', value: 'api' },
    invalid: {
      manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('badport', true), spec: { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP', port: 80 }] }] } },
      message: 'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
    },
  },
  {
    resource: 'endpointslices',
    name: 'web-abc12',
    namespaced: true,
    manifest: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { ...meta('web-abc12', true), labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.1.2.3'], conditions: { ready: true } }],
      ports: [{ port: 8080 }],
    },
    defaults: { 'ports.0.protocol': 'TCP', 'ports.0.name': '' },
    header: /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/,
    patch: { body: { endpoints: [{ addresses: ['10.1.2.4'] }] }, path: 'endpoints.0.addresses.0', value: '10.1.2.4' },
    invalid: {
      manifest: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('badtype', true), addressType: 'IPv5', endpoints: [] },
      message: 'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
    },
  },
  {
    resource: 'runtimeclasses',
    name: 'gvisor',
    namespaced: false,
    manifest: { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor' }, handler: 'runsc', overhead: { podFixed: { cpu: '250m', memory: '64Mi' } } },
    defaults: { handler: 'runsc', 'overhead.podFixed.cpu': '250m' },
    header: /^NAME\s+HANDLER\s+AGE$/,
    patch: { body: { metadata: { labels: { sandbox: 'true' } } }, path: 'metadata.labels.sandbox', value: 'true' },
    invalid: {
      manifest: { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'badhandler' }, handler: 'Run_SC' },
      message: 'handler: Invalid value: "Run_SC": a lowercase RFC 1123 label must consist of',
    },
  },
  {
    resource: 'storageclasses',
    name: 'fast',
    namespaced: false,
    manifest: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'csi.example.com', parameters: { type: 'ssd' } },
    defaults: { reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' },
    header: /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/,
    patch: { body: { allowVolumeExpansion: true }, path: 'allowVolumeExpansion', value: true },
    invalid: {
      manifest: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'badpolicy' }, provisioner: 'csi.example.com', reclaimPolicy: 'Recycle' },
      message: 'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    },
  },
];

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], obj);
}

before(async () => {
  ts = await startTestServer();
});
after(async () => {
  await ts.stop();
});

describe('network, discovery, node and storage kinds through kubectl 1.33', () => {
  for (const c of CASES) {
    const ns = c.namespaced ? ['-n', 'default'] : [];
    it(`${c.resource}: create, get with defaults, list, replace, patch, delete`, async () => {
      const created = await k(['create', '-f', '-'], JSON.stringify(c.manifest));
      assert.equal(created.code, 0, created.stderr);
      const got = await k(['get', c.resource, c.name, ...ns, '-o', 'json']);
      assert.equal(got.code, 0, got.stderr);
      const obj = JSON.parse(got.stdout) as Record<string, any>;
      for (const [path, value] of Object.entries(c.defaults)) assert.deepEqual(at(obj, path), value, path);

      const table = await k(['get', c.resource, ...ns]);
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, c.header);
      assert.ok(lines.some((l) => l.startsWith(`${c.name} `)), table.stdout);

      obj.metadata.annotations = { note: 'replaced' };
      const replaced = await k(['replace', '-f', '-'], JSON.stringify(obj));
      assert.equal(replaced.code, 0, replaced.stderr);
      const note = await k(['get', c.resource, c.name, ...ns, '-o', 'jsonpath={.metadata.annotations.note}']);
      assert.equal(note.stdout, 'replaced');

      const patched = await k(['patch', c.resource, c.name, ...ns, '--type=merge', '-p', JSON.stringify(c.patch.body)]);
      assert.equal(patched.code, 0, patched.stderr);
      const after = JSON.parse((await k(['get', c.resource, c.name, ...ns, '-o', 'json'])).stdout) as unknown;
      assert.deepEqual(at(after, c.patch.path), c.patch.value);

      const deleted = await k(['delete', c.resource, c.name, ...ns]);
      assert.equal(deleted.code, 0, deleted.stderr);
      const gone = await k(['get', c.resource, c.name, ...ns]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /NotFound|not found/);
    });

    it(`${c.resource}: refuses an invalid object with upstream's message`, async () => {
      const res = await k(['create', '-f', '-'], JSON.stringify(c.invalid.manifest));
      assert.notEqual(res.code, 0);
      assert.ok(res.stderr.includes('is invalid'), res.stderr);
      assert.ok(res.stderr.includes(c.invalid.message), res.stderr);
    });
  }

  it('the Ingress pathType has no default and /status takes load-balancer addresses', async () => {
    const created = await k(['create', '-f', '-'], JSON.stringify(ingress('lb', { pathType: 'Exact' })));
    assert.equal(created.code, 0, created.stderr);
    const status = { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } };
    const patched = await k(['patch', 'ingress', 'lb', '-n', 'default', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    assert.equal(patched.code, 0, patched.stderr);
    const table = await k(['get', 'ing', 'lb', '-n', 'default', '--no-headers']);
    assert.match(table.stdout, /^lb\s+nginx\s+web\.example\.com\s+192\.0\.2\.10\s+80\s+/);
    const bad = await k(['patch', 'ingress', 'lb', '-n', 'default', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { loadBalancer: { ingress: [{ hostname: '192.0.2.11' }] } } })]);
    assert.notEqual(bad.code, 0);
    assert.ok(bad.stderr.includes('status.loadBalancer.ingress[0].hostname: Invalid value: "192.0.2.11": must be a DNS name, not an IP address'), bad.stderr);
  });

  it('short names resolve: ing, netpol, sc', async () => {
    for (const short of ['ing', 'netpol', 'sc']) {
      const res = await k(['get', short, '-A']);
      assert.equal(res.code, 0, `${short}: ${res.stderr}`);
    }
  });
});
