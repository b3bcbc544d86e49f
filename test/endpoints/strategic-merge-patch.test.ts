/** Unit tests of the strategic merge patch algorithm on Pods and Deployments. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/machinery/errors/index.js';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { applyStrategicMergePatch } from '../../src/endpoints/patch/strategic-merge-patch.js';

const POD = 'k8s.io.api.core.v1.Pod';
const DEPLOYMENT = 'k8s.io.api.apps.v1.Deployment';

function smp(typeName: string, current: unknown, patch: unknown): any {
  return applyStrategicMergePatch(typeName, current as KubeObject, patch as Record<string, unknown>);
}

function podWith(spec: unknown, metadata: Record<string, unknown> = {}): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', ...metadata }, spec };
}

function deploymentWith(podSpec: unknown, extraSpec: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
      ...extraSpec,
    },
  };
}

/** Runs `fn`, expecting an ApiError; returns its Status. */
function statusOf(fn: () => unknown): any {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    return err.status;
  }
  assert.fail('expected the patch to fail');
}

const twoContainers = () => [
  {
    name: 'a',
    image: 'nginx:1',
    ports: [
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 81, protocol: 'TCP' },
    ],
    env: [{ name: 'X', value: '1' }],
  },
  { name: 'b', image: 'busybox:1', command: ['sleep', '3600'] },
];

describe('strategic merge patch', () => {
  it('applies the kubectl apply patch of kube-wire §5.1 exactly', () => {
    const live = podWith({ containers: twoContainers() }, {
      labels: { app: 'web', tier: 'fe' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'old' },
    });
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'new' }, labels: { tier: null } },
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }],
        containers: [
          { '$setElementOrder/ports': [{ containerPort: 80 }], name: 'a', ports: [{ $patch: 'delete', containerPort: 81 }] },
          { $patch: 'delete', name: 'b' },
        ],
      },
    };
    assert.deepEqual(smp(POD, live, patch), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web',
        namespace: 'default',
        labels: { app: 'web' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'new' },
      },
      spec: {
        containers: [{ name: 'a', image: 'nginx:1', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'X', value: '1' }] }],
      },
    });
  });

  it('merges containers by name and keeps the ports, env and other containers', () => {
    const live = deploymentWith({ containers: twoContainers() });
    const out = smp(DEPLOYMENT, live, { spec: { template: { spec: { containers: [{ name: 'a', image: 'nginx:2' }] } } } });
    const expected = twoContainers();
    expected[0]!.image = 'nginx:2';
    assert.deepEqual(out.spec.template.spec.containers, expected);
    assert.equal(out.spec.replicas, 1);
    assert.deepEqual(out.spec.selector, { matchLabels: { app: 'web' } });
  });

  it('does not mutate its inputs', () => {
    const live = deploymentWith({ containers: twoContainers() });
    const patch = { spec: { template: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } } } };
    const liveCopy = structuredClone(live);
    const patchCopy = structuredClone(patch);
    smp(DEPLOYMENT, live, patch);
    assert.deepEqual(live, liveCopy);
    assert.deepEqual(patch, patchCopy);
  });

  it('appends a new container after merging env by name', () => {
    const live = podWith({ containers: twoContainers() });
    const out = smp(POD, live, {
      spec: {
        containers: [
          { name: 'a', env: [{ name: 'X', value: '2' }, { name: 'Y', value: 'y' }] },
          { name: 'c', image: 'redis:7' },
        ],
      },
    });
    assert.deepEqual(
      out.spec.containers.map((c: any) => c.name),
      ['a', 'c', 'b'],
    );
    assert.deepEqual(out.spec.containers[0].env, [
      { name: 'X', value: '2' },
      { name: 'Y', value: 'y' },
    ]);
    assert.deepEqual(out.spec.containers[1], { name: 'c', image: 'redis:7' });
  });

  it('deletes a port with $patch: delete', () => {
    const live = podWith({ containers: twoContainers() });
    const out = smp(POD, live, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, $patch: 'delete' }] }] } });
    assert.deepEqual(out.spec.containers[0].ports, [{ containerPort: 81, protocol: 'TCP' }]);
    assert.equal(out.spec.containers.length, 2);
  });

  it('orders a merged list by $setElementOrder', () => {
    const live = podWith({
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
        { name: 'c', image: 'c:1' },
      ],
    });
    const out = smp(POD, live, {
      spec: {
        '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }, { name: 'd' }],
        containers: [
          { name: 'c', image: 'c:2' },
          { name: 'd', image: 'd:1' },
        ],
      },
    });
    assert.deepEqual(out.spec.containers, [
      { name: 'c', image: 'c:2' },
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:1' },
      { name: 'd', image: 'd:1' },
    ]);
  });

  it('reorders without content change when only $setElementOrder is sent', () => {
    const live = podWith({ containers: [{ name: 'a' }, { name: 'b' }] });
    const out = smp(POD, live, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } });
    assert.deepEqual(out.spec.containers, [{ name: 'b' }, { name: 'a' }]);
  });

  it('clears keys missing from $retainKeys (Deployment strategy)', () => {
    const live = deploymentWith(
      { containers: [{ name: 'a', image: 'a:1' }] },
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
    );
    const out = smp(DEPLOYMENT, live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  });

  it('applies $retainKeys inside merged volumes', () => {
    const live = podWith({ containers: [{ name: 'a' }], volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }] });
    const out = smp(POD, live, {
      spec: { volumes: [{ name: 'v', hostPath: { path: '/data' }, $retainKeys: ['hostPath', 'name'] }] },
    });
    assert.deepEqual(out.spec.volumes, [
      { name: 'v', hostPath: { path: '/data' } },
      { name: 'w', emptyDir: {} },
    ]);
  });

  it('rejects a patched key missing from $retainKeys with 400', () => {
    const live = deploymentWith({ containers: [] }, { strategy: { type: 'RollingUpdate' } });
    const status = statusOf(() =>
      smp(DEPLOYMENT, live, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 2 } } } }),
    );
    assert.equal(status.code, 400);
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.message, 'invalid patch format of retainKeys');
    assert.equal(statusOf(() => smp(DEPLOYMENT, live, { spec: { strategy: { $retainKeys: 'type' } } })).code, 400);
  });

  it('unions a primitive list with strategy merge (finalizers)', () => {
    const live = podWith({ containers: [] }, { finalizers: ['a', 'b'] });
    const out = smp(POD, live, { metadata: { finalizers: ['c', 'a'] } });
    assert.deepEqual(out.metadata.finalizers, ['c', 'a', 'b']);
  });

  it('deletes from a primitive list with $deleteFromPrimitiveList and orders by $setElementOrder', () => {
    const live = podWith({ containers: [] }, { finalizers: ['a', 'b'] });
    const out = smp(POD, live, {
      metadata: {
        '$setElementOrder/finalizers': ['b', 'c'],
        '$deleteFromPrimitiveList/finalizers': ['a'],
        finalizers: ['c'],
      },
    });
    assert.deepEqual(out.metadata.finalizers, ['b', 'c']);
    const onlyDelete = smp(POD, live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zzz'] } });
    assert.deepEqual(onlyDelete.metadata.finalizers, ['a']);
  });

  it('replaces lists without a merge strategy (command, tolerations, listType=map ResourceStatus.resources)', () => {
    const health = (id: string) => ({ name: 'a', allocatedResourcesStatus: [{ name: 'r', resources: [{ resourceID: id, health: 'Healthy' }] }] });
    const live = podWith({
      containers: [{ name: 'a', command: ['sh', '-c'] }],
      tolerations: [{ key: 'k1', operator: 'Exists' }],
    });
    live.status = { containerStatuses: [health('dev-1')] };
    const out = smp(POD, live, {
      spec: {
        tolerations: [{ key: 'k2', operator: 'Exists' }],
        containers: [{ name: 'a', command: ['true'] }],
      },
      status: { containerStatuses: [health('dev-2')] },
    });
    assert.deepEqual(out.spec.tolerations, [{ key: 'k2', operator: 'Exists' }]);
    assert.deepEqual(out.spec.containers[0].command, ['true']);
    assert.deepEqual(out.status.containerStatuses[0].allocatedResourcesStatus[0].resources, [{ resourceID: 'dev-2', health: 'Healthy' }]);
  });

  it('resolves keys through inline fields (EphemeralContainer env merges by name)', () => {
    const live = podWith({ containers: [], ephemeralContainers: [{ name: 'dbg', env: [{ name: 'A', value: '1' }] }] });
    const out = smp(POD, live, { spec: { ephemeralContainers: [{ name: 'dbg', env: [{ name: 'B', value: '2' }] }] } });
    assert.deepEqual(out.spec.ephemeralContainers[0].env, [
      { name: 'B', value: '2' },
      { name: 'A', value: '1' },
    ]);
  });

  it('deletes keys set to null, and drops nulls inside new values', () => {
    const live = podWith({ containers: [{ name: 'a', image: 'a:1', workingDir: '/w' }] }, { labels: { app: 'web', tier: 'fe' } });
    const out = smp(POD, live, {
      metadata: { labels: { tier: null, missing: null }, annotations: { note: 'x', gone: null } },
      spec: { containers: [{ name: 'a', workingDir: null }] },
    });
    assert.deepEqual(out.metadata.labels, { app: 'web' });
    assert.deepEqual(out.metadata.annotations, { note: 'x' });
    assert.deepEqual(out.spec.containers, [{ name: 'a', image: 'a:1' }]);
  });

  it('replaces a map with $patch: replace and empties it with $patch: delete', () => {
    const live = deploymentWith({ containers: [{ name: 'a', image: 'a:1' }], nodeSelector: { disk: 'ssd', zone: 'z1' } });
    const replaced = smp(DEPLOYMENT, live, {
      spec: { template: { spec: { nodeSelector: { $patch: 'replace', zone: 'z2' } } } },
    });
    assert.deepEqual(replaced.spec.template.spec.nodeSelector, { zone: 'z2' });
    const deleted = smp(DEPLOYMENT, live, { spec: { template: { metadata: { labels: { $patch: 'delete' } } } } });
    assert.deepEqual(deleted.spec.template.metadata.labels, {});
  });

  it('replaces a merge list with a $patch: replace element', () => {
    const live = podWith({ containers: twoContainers() });
    const out = smp(POD, live, { spec: { containers: [{ $patch: 'replace' }, { name: 'z', image: 'z:1' }] } });
    assert.deepEqual(out.spec.containers, [{ name: 'z', image: 'z:1' }]);
  });

  it('reports unknown $patch values as upstream does (500, no reason)', () => {
    const live = podWith({ containers: twoContainers() });
    const onElement = statusOf(() => smp(POD, live, { spec: { containers: [{ name: 'a', $patch: 'foo' }] } }));
    assert.deepEqual(onElement, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'unknown patch type: foo in map: map[$patch:foo name:a]',
      code: 500,
    });
    const labelled = podWith({ containers: [] }, { labels: { app: 'web' } });
    const onMap = statusOf(() => smp(POD, labelled, { metadata: { labels: { $patch: 'merge', a: 'b' } } }));
    assert.equal(onMap.code, 500);
    assert.equal(onMap.message, 'unknown patch type: merge in map: map[$patch:merge a:b]');
    const mergeElement = statusOf(() => smp(POD, live, { spec: { containers: [{ name: 'a', $patch: 'merge' }] } }));
    assert.equal(mergeElement.message, 'merging lists cannot yet be specified in the patch');
  });

  it('reports a list element without its merge key', () => {
    const live = podWith({ containers: twoContainers() });
    const status = statusOf(() => smp(POD, live, { spec: { containers: [{ image: 'x:1', ports: [{ containerPort: 1 }] }] } }));
    assert.equal(status.code, 500);
    assert.equal(status.message, 'map: map[image:x:1 ports:[map[containerPort:1]]] does not contain declared merge key: name');
  });

  it('rejects malformed directive keys with 400 and lists of lists with 422', () => {
    const live = podWith({ containers: twoContainers() }, { finalizers: ['a'] });
    const order = statusOf(() => smp(POD, live, { spec: { $setElementOrder: [{ name: 'a' }] } }));
    assert.deepEqual([order.code, order.reason, order.message], [400, 'BadRequest', 'invalid patch format of setElementOrder list']);
    const prim = statusOf(() => smp(POD, live, { metadata: { $deleteFromPrimitiveList: ['a'] } }));
    assert.deepEqual([prim.code, prim.message], [400, 'invalid patch format of primitive list']);
    const noFinalizers = podWith({ containers: [] }, { finalizers: [] });
    const lists = statusOf(() => smp(POD, noFinalizers, { metadata: { finalizers: [['x']] } }));
    const mixed = statusOf(() => smp(POD, live, { metadata: { finalizers: [['x']] } }));
    assert.deepEqual([mixed.code, mixed.message], [500, 'list element types are not identical: [[a] [[x]]]']);
    assert.deepEqual([lists.code, lists.reason, lists.message], [422, 'Invalid', 'the server rejected our request due to an error in our request']);
  });

  it('rejects a patch list out of $setElementOrder order', () => {
    const live = podWith({ containers: [{ name: 'a' }, { name: 'b' }] });
    const status = statusOf(() =>
      smp(POD, live, {
        spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b' }, { name: 'a' }] },
      }),
    );
    assert.equal(status.code, 500);
    assert.equal(
      status.message,
      "the order in patch list:\n[map[name:b] map[name:a]]\n doesn't match $setElementOrder list:\n[map[name:a] map[name:b]]",
    );
  });
});
