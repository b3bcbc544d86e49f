/**
 * The endpoints and endpointslice controllers against a real server over the SDK. The test
 * plays the kubelet: it sets each pod's podIP and Ready condition through the status
 * subresource, then checks the exact Endpoints and EndpointSlices, their updates when a pod goes
 * unready or terminates, and a deleted pod's removal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Node } from '../../gen/k8s/io/api/core/v1/node.js';
import { Pod, PodStatus } from '../../gen/k8s/io/api/core/v1/pod.js';
import { Service } from '../../gen/k8s/io/api/core/v1/service.js';
import type { EndpointSlice } from '../../gen/k8s/io/api/discovery/v1/generated.js';
import { intOrString, type Clientset } from '../../src/client/index.js';
import { runControllerManager } from '../../src/components/controller-manager/index.js';
import { capacityAnnotationSetCorrectly, truncateSubsets } from '../../src/components/controller-manager/endpoints/truncate.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const TRIGGER = 'endpoints.kubernetes.io/last-change-trigger-time';
const MANAGED_BY = { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };

/** Drops undefined fields, as the JSON form would. */
const plain = <T>(x: T): unknown => JSON.parse(JSON.stringify(x ?? null));

function podObject(name: string, labels: Record<string, string>, namedPort = true): Pod {
  return Pod.fromPartial({
    metadata: { name, namespace: 'default', labels },
    spec: {
      nodeName: 'node-a',
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', ports: namedPort ? [{ name: 'http-port', containerPort: 8080, protocol: 'TCP' }] : [] }],
    },
  });
}

describe('endpoints and endpointslice controllers', () => {
  let s: TestServer;
  let cs: Clientset;
  const ac = new AbortController();
  const uids = new Map<string, string>();

  async function setStatus(name: string, ip: string, ready: boolean, at: string): Promise<void> {
    const pod = await cs.coreV1.pods.get(name, { namespace: 'default' });
    const transition = { seconds: Date.parse(at) / 1000, nanos: 0 };
    await cs.coreV1.pods.updateStatus({
      ...pod,
      status: PodStatus.fromPartial({
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        hostIP: '192.168.0.10',
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: transition }],
      }),
    });
  }

  async function createPod(pod: Pod): Promise<void> {
    const created = await cs.coreV1.pods.create(pod);
    uids.set(created.metadata!.name!, created.metadata!.uid!);
  }

  const address = (name: string, ip: string): unknown => ({ ip, nodeName: 'node-a', targetRef: { kind: 'Pod', namespace: 'default', name, uid: uids.get(name) } });

  const endpoint = (name: string, ip: string, ready: boolean, serving: boolean, terminating: boolean): unknown => ({
    addresses: [ip],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: 'default', name, uid: uids.get(name) },
    deprecatedTopology: {},
    nodeName: 'node-a',
    zone: 'zone-a',
  });

  async function endpointsOf(name: string): Promise<{ labels: unknown; annotations: unknown; subsets: unknown } | undefined> {
    try {
      const ep = await cs.coreV1.endpoints.get(name, { namespace: 'default' });
      return { labels: plain(ep.metadata?.labels), annotations: plain(ep.metadata?.annotations), subsets: plain(ep.subsets) };
    } catch {
      return undefined;
    }
  }

  async function slicesOf(name: string): Promise<EndpointSlice[]> {
    return (await cs.discoveryV1.endpointSlices.list({ namespace: 'default', labelSelector: `kubernetes.io/service-name=${name}` })).items;
  }

  async function until(what: string, fn: () => Promise<unknown>, want: unknown): Promise<void> {
    let last: unknown;
    try {
      await eventually(what, async () => {
        last = await fn();
        return isDeepStrictEqual(last, want);
      }, 15_000);
    } catch (err) {
      assert.deepEqual(last, want, String(err));
    }
  }

  before(async () => {
    s = await startTestServer();
    cs = testClientset(s.server);
    await cs.coreV1.nodes.create(Node.fromPartial({ metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } }));
    await runControllerManager(cs, { controllers: ['endpoints', 'endpointslice'] }, ac.signal);
  });

  after(async () => {
    ac.abort();
    cs.close();
    await s.stop();
  });

  it('lists ready and not-ready pods, resolves named target ports, and follows pod changes', async () => {
    const svc = await cs.coreV1.services.create(
      Service.fromPartial({
        metadata: { name: 'web', namespace: 'default', labels: { tier: 'frontend' } },
        spec: {
          selector: { app: 'web' },
          ports: [
            { name: 'http', port: 80, targetPort: intOrString('http-port'), protocol: 'TCP' },
            { name: 'metrics', port: 9090, targetPort: intOrString(9100), protocol: 'TCP' },
          ],
        },
      }),
    );
    await createPod(podObject('web-1', { app: 'web' }));
    await createPod(podObject('web-2', { app: 'web' }));
    await createPod(podObject('other', { app: 'other' }));
    await setStatus('other', '10.0.0.99', true, '2026-01-01T00:00:00Z');

    await setStatus('web-1', '10.0.0.1', true, '2026-01-01T00:00:01Z');
    const bothPorts = [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9100, protocol: 'TCP' },
    ];
    await until('web Endpoints with web-1', () => endpointsOf('web'), {
      labels: { tier: 'frontend' },
      annotations: { [TRIGGER]: '2026-01-01T00:00:01Z' },
      subsets: [{ addresses: [address('web-1', '10.0.0.1')], notReadyAddresses: [], ports: bothPorts }],
    });

    await setStatus('web-2', '10.0.0.2', true, '2026-01-01T00:00:02Z');
    await until('web Endpoints with both pods', () => endpointsOf('web'), {
      labels: { tier: 'frontend' },
      annotations: { [TRIGGER]: '2026-01-01T00:00:02Z' },
      subsets: [{ addresses: [address('web-1', '10.0.0.1'), address('web-2', '10.0.0.2')], notReadyAddresses: [], ports: bothPorts }],
    });

    const sliceView = async (): Promise<unknown> =>
      (await slicesOf('web')).map((sl) => ({
        generateName: sl.metadata?.generateName,
        prefixed: sl.metadata?.name?.startsWith('web-') && sl.metadata.name.length > 'web-'.length,
        labels: plain(sl.metadata?.labels),
        annotations: plain(sl.metadata?.annotations),
        ownerReferences: plain(sl.metadata?.ownerReferences),
        addressType: sl.addressType,
        ports: plain(sl.ports),
        endpoints: plain(sl.endpoints),
      }));
    const sliceBase = {
      generateName: 'web-',
      prefixed: true,
      labels: { tier: 'frontend', 'kubernetes.io/service-name': 'web', ...MANAGED_BY },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata!.uid, controller: true, blockOwnerDeletion: true }],
      addressType: 'IPv4',
      ports: bothPorts,
    };
    await until('one web slice with both pods', sliceView, [
      { ...sliceBase, annotations: { [TRIGGER]: '2026-01-01T00:00:02Z' }, endpoints: [endpoint('web-1', '10.0.0.1', true, true, false), endpoint('web-2', '10.0.0.2', true, true, false)] },
    ]);

    // web-2 goes unready: a not-ready address, and ready=serving=false in its slice.
    await setStatus('web-2', '10.0.0.2', false, '2026-01-01T00:00:03Z');
    await until('web-2 not ready', () => endpointsOf('web'), {
      labels: { tier: 'frontend' },
      annotations: { [TRIGGER]: '2026-01-01T00:00:03Z' },
      subsets: [{ addresses: [address('web-1', '10.0.0.1')], notReadyAddresses: [address('web-2', '10.0.0.2')], ports: bothPorts }],
    });
    await until('web-2 not ready in its slice', sliceView, [
      { ...sliceBase, annotations: { [TRIGGER]: '2026-01-01T00:00:03Z' }, endpoints: [endpoint('web-1', '10.0.0.1', true, true, false), endpoint('web-2', '10.0.0.2', false, false, false)] },
    ]);

    // web-1 deleted: gone from both; no pod changed its readiness, so no trigger time.
    await cs.coreV1.pods.delete('web-1', { namespace: 'default', gracePeriodSeconds: 0 });
    await until('web-1 removed', () => endpointsOf('web'), {
      labels: { tier: 'frontend' },
      annotations: {},
      subsets: [{ addresses: [], notReadyAddresses: [address('web-2', '10.0.0.2')], ports: bothPorts }],
    });
    await until('web-1 removed from its slice', sliceView, [
      { ...sliceBase, annotations: { [TRIGGER]: '2026-01-01T00:00:03Z' }, endpoints: [endpoint('web-2', '10.0.0.2', false, false, false)] },
    ]);

    // The last pod deleted: Endpoints without subsets, and a new placeholder slice without ports or
    // endpoints (and, nothing having changed readiness, no trigger time).
    await cs.coreV1.pods.delete('web-2', { namespace: 'default', gracePeriodSeconds: 0 });
    await until('no web endpoints', () => endpointsOf('web'), { labels: { tier: 'frontend' }, annotations: {}, subsets: [] });
    await until('placeholder slice', sliceView, [{ ...sliceBase, ports: [], annotations: {}, endpoints: [] }]);

    // The Service deleted: its Endpoints go.
    await cs.coreV1.services.delete('web', { namespace: 'default' });
    await until('web Endpoints deleted', () => endpointsOf('web'), undefined);
  });

  it('splits pods resolving different ports, marks terminating pods, and fills slices up to 100 endpoints', async () => {
    await cs.coreV1.services.create(
      Service.fromPartial({
        metadata: { name: 'mixed', namespace: 'default' },
        spec: { selector: { app: 'mixed' }, ports: [{ name: 'http', port: 80, targetPort: intOrString('http-port'), protocol: 'TCP' }, { name: 'raw', port: 81, targetPort: intOrString(81), protocol: 'TCP' }] },
      }),
    );
    await createPod(podObject('m-named', { app: 'mixed' }));
    await createPod(podObject('m-plain', { app: 'mixed' }, false));
    await createPod(Pod.fromPartial({ ...podObject('m-finishing', { app: 'mixed' }), metadata: { name: 'm-finishing', namespace: 'default', labels: { app: 'mixed' }, finalizers: ['example.com/hold'] } }));
    await setStatus('m-named', '10.1.0.1', true, '2026-01-01T00:00:10Z');
    await setStatus('m-plain', '10.1.0.2', true, '2026-01-01T00:00:10Z');
    await setStatus('m-finishing', '10.1.0.3', true, '2026-01-01T00:00:10Z');
    await cs.coreV1.pods.delete('m-finishing', { namespace: 'default' });

    const http = { name: 'http', port: 8080, protocol: 'TCP' };
    const raw = { name: 'raw', port: 81, protocol: 'TCP' };
    // Repacked by port: http reaches m-named only, raw both pods; the terminating pod is left out.
    await until('mixed Endpoints in two subsets, the terminating pod left out', async () => (await endpointsOf('mixed'))?.subsets, [
      { addresses: [address('m-named', '10.1.0.1')], notReadyAddresses: [], ports: [http] },
      { addresses: [address('m-named', '10.1.0.1'), address('m-plain', '10.1.0.2')], notReadyAddresses: [], ports: [raw] },
    ]);
    const view = async (): Promise<unknown> =>
      (await slicesOf('mixed'))
        .map((sl) => ({ ports: plain(sl.ports), endpoints: plain([...sl.endpoints].sort((a, b) => (a.targetRef!.name! < b.targetRef!.name! ? -1 : 1))) }))
        .sort((a, b) => JSON.stringify(a.ports).length - JSON.stringify(b.ports).length);
    await until('two mixed slices, the terminating pod marked', view, [
      { ports: [raw], endpoints: [endpoint('m-plain', '10.1.0.2', true, true, false)] },
      { ports: [http, raw], endpoints: [endpoint('m-finishing', '10.1.0.3', false, true, true), endpoint('m-named', '10.1.0.1', true, true, false)] },
    ]);
    const pod = await cs.coreV1.pods.get('m-finishing', { namespace: 'default' });
    await cs.coreV1.pods.update({ ...pod, metadata: { ...pod.metadata!, finalizers: [] } });

    // 105 pods: one slice of 100 endpoints and one of 5.
    await cs.coreV1.services.create(Service.fromPartial({ metadata: { name: 'many', namespace: 'default' }, spec: { selector: { app: 'many' }, ports: [{ name: 'p', port: 80, protocol: 'TCP' }] } }));
    const names = Array.from({ length: 105 }, (_, i) => `many-${i}`);
    for (let i = 0; i < names.length; i += 15) {
      await Promise.all(names.slice(i, i + 15).map(async (n, j) => {
        await createPod(podObject(n, { app: 'many' }));
        await setStatus(n, `10.2.${Math.floor((i + j) / 200)}.${((i + j) % 200) + 1}`, true, '2026-01-01T00:01:00Z');
      }));
    }
    await until('two slices for 105 pods', async () => (await slicesOf('many')).map((sl) => sl.endpoints.length).sort((a, b) => b - a), [100, 5]);
    const all = (await slicesOf('many')).flatMap((sl) => sl.endpoints.map((e) => e.targetRef?.name));
    assert.deepEqual(all.sort(), [...names].sort());
    const ep = await cs.coreV1.endpoints.get('many', { namespace: 'default' });
    assert.equal(ep.subsets.length, 1);
    assert.equal(ep.subsets[0]!.addresses.length, 105);
  });

  it('leaves the default/kubernetes Endpoints and Services without a selector alone', async () => {
    const before = await cs.coreV1.endpoints.get('kubernetes', { namespace: 'default' });
    const sliceBefore = await cs.discoveryV1.endpointSlices.get('kubernetes', { namespace: 'default' });
    assert.ok(before.subsets.length > 0, 'the server publishes its own endpoints');
    // A change to the kubernetes Service makes the controllers look at it again.
    await cs.coreV1.services.patch('kubernetes', 'merge', { metadata: { labels: { touched: 'yes' } } }, { namespace: 'default' });
    await cs.coreV1.services.create(Service.fromPartial({ metadata: { name: 'manual', namespace: 'default' }, spec: { ports: [{ name: 'p', port: 80, protocol: 'TCP' }] } }));
    await new Promise((r) => setTimeout(r, 1000));
    await assert.rejects(cs.coreV1.endpoints.get('manual', { namespace: 'default' }), (err: { reason?: string }) => err.reason === 'NotFound');
    assert.deepEqual(await slicesOf('manual'), []);
    const after = await cs.coreV1.endpoints.get('kubernetes', { namespace: 'default' });
    assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.deepEqual(plain(after.subsets), plain(before.subsets));
    const sliceAfter = await cs.discoveryV1.endpointSlices.get('kubernetes', { namespace: 'default' });
    assert.equal(sliceAfter.metadata?.resourceVersion, sliceBefore.metadata?.resourceVersion);
    const managed = (await slicesOf('kubernetes')).filter((sl) => sl.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === 'endpointslice-controller.k8s.io');
    assert.deepEqual(managed, []);
  });
});

describe('endpoints capacity', () => {
  const addrs = (prefix: string, n: number): { ip: string }[] => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${i}` }));

  it('keeps ready addresses first, each subset its share rounded up, within 1000', () => {
    const subsets = [
      { addresses: addrs('10.0.0', 600), notReadyAddresses: addrs('10.0.1', 10), ports: [] },
      { addresses: addrs('10.0.2', 300), notReadyAddresses: addrs('10.0.3', 300), ports: [] },
    ];
    const cut = truncateSubsets(subsets);
    assert.equal(cut.truncated, true);
    // 900 ready fit; the 100 left go to not-ready addresses in proportion 10:300, rounded up.
    assert.deepEqual(cut.subsets.map((s) => [s.addresses.length, s.notReadyAddresses.length]), [[600, 4], [300, 96]]);
    assert.equal(capacityAnnotationSetCorrectly({ 'endpoints.kubernetes.io/over-capacity': 'truncated' }, cut.subsets), true);
    assert.equal(capacityAnnotationSetCorrectly({}, cut.subsets), false);

    const allReady = truncateSubsets([{ addresses: addrs('10.1.0', 700), notReadyAddresses: addrs('10.1.1', 5), ports: [] }, { addresses: addrs('10.1.2', 700), notReadyAddresses: [], ports: [] }]);
    assert.deepEqual(allReady.subsets.map((s) => [s.addresses.length, s.notReadyAddresses.length]), [[500, 0], [500, 0]]);
    assert.equal(truncateSubsets([{ addresses: addrs('10.2.0', 1000), notReadyAddresses: [], ports: [] }]).truncated, false);
  });
});
