import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { buildPredicate } from '../../src/registry/generic/predicate.js';
import { POD_UPDATE_FORBIDDEN_MESSAGE, pods } from '../../src/registry/core/pods.js';
import { type Harness, harness, rejectsInvalid } from './harness.js';
import { storageView } from '../../src/registry/rest/served.js';

const pod = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', resources: { limits: { cpu: '1', memory: '128Mi' } } }] },
});

describe('pods', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(pods);
  });
  afterEach(() => h.close());

  it('has upstream discovery facts', () => {
    assert.equal(pods.resource, 'pods');
    assert.deepEqual(pods.shortNames, ['po']);
    assert.deepEqual(pods.categories, ['all']);
    assert.equal(storageView(pods).typeName, 'k8s.io.api.core.v1.Pod');
    assert.equal(pods.returnDeletedObject, true);
    assert.ok(pods.statusStrategy);
  });

  it('defaults on create and starts Pending with a QoS class', async () => {
    const created = await h.store.create('default', pod(), {});
    const spec = created.spec as Record<string, unknown>;
    assert.deepEqual(created.status, { phase: 'Pending', qosClass: 'Guaranteed' });
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.equal(spec.enableServiceLinks, true);
    assert.equal(spec.serviceAccountName, 'default');
    assert.deepEqual(spec.securityContext, {});
    const c = (spec.containers as Record<string, unknown>[])[0] as Record<string, unknown>;
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(c.resources, { limits: { cpu: '1', memory: '128Mi' }, requests: { cpu: '1', memory: '128Mi' } });
  });

  it('ignores a client-supplied status on create', async () => {
    const p = pod();
    p.status = { phase: 'Running', podIP: '1.2.3.4' };
    const created = await h.store.create('default', p, {});
    assert.deepEqual(created.status, { phase: 'Pending', qosClass: 'Guaranteed' });
  });

  it('rejects a pod without containers with the upstream message', async () => {
    await rejectsInvalid(
      h.store.create('default', { metadata: { name: 'empty' }, spec: {} }, {}),
      'Pod "empty" is invalid: spec.containers: Required value',
    );
  });

  it('lets an update change the image but nothing else', async () => {
    await h.store.create('default', pod(), {});
    const updated = await h.store.update(
      'default',
      'web',
      (cur) => {
        const next = structuredClone(cur);
        ((next.spec as { containers: { image: string }[] }).containers[0] as { image: string }).image = 'nginx:1.26';
        return next;
      },
      { target: 'main' },
    );
    assert.equal((updated.spec as { containers: { image: string }[] }).containers[0]?.image, 'nginx:1.26');
    await assert.rejects(
      h.store.update(
        'default',
        'web',
        (cur) => ({ ...cur, spec: { ...(cur.spec as object), nodeSelector: { disk: 'ssd' } } }),
        { target: 'main' },
      ),
      (err: Error) => {
        assert.ok(err.message.startsWith(`Pod "web" is invalid: spec: Forbidden: ${POD_UPDATE_FORBIDDEN_MESSAGE}\n`), err.message);
        assert.ok(err.message.includes('+ \tnodeSelector: {"disk":"ssd"}'), err.message);
        return true;
      },
    );
  });

  it('allows adding tolerations but not removing them', async () => {
    await h.store.create('default', pod(), {});
    const added = await h.store.update(
      'default',
      'web',
      (cur) => {
        const next = structuredClone(cur);
        (next.spec as { tolerations: object[] }).tolerations.push({ key: 'k', operator: 'Exists' });
        return next;
      },
      { target: 'main' },
    );
    assert.equal((added.spec as { tolerations: object[] }).tolerations.length, 3);
    await assert.rejects(
      h.store.update('default', 'web', (cur) => ({ ...cur, spec: { ...(cur.spec as object), tolerations: [] } }), { target: 'main' }),
      /spec: Forbidden: pod updates may not change fields other than/,
    );
  });

  it('keeps status on main updates and writes it through /status only', async () => {
    await h.store.create('default', pod(), {});
    const main = await h.store.update(
      'default',
      'web',
      (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { a: 'b' } }, status: { phase: 'Failed' } }),
      { target: 'main' },
    );
    assert.equal((main.status as { phase: string }).phase, 'Pending');
    assert.deepEqual(main.metadata?.labels, { a: 'b' });
    const status = await h.store.update(
      'default',
      'web',
      (cur) => ({ ...cur, spec: {}, status: { phase: 'Running', podIP: '10.0.0.5', qosClass: 'BestEffort' } }),
      { target: 'status' },
    );
    assert.deepEqual(status.status, { phase: 'Running', podIP: '10.0.0.5', qosClass: 'Guaranteed' });
    assert.equal(((status.spec as { containers: unknown[] }).containers).length, 1);
  });

  it('rejects an unknown phase through /status', async () => {
    await h.store.create('default', pod(), {});
    await rejectsInvalid(
      h.store.update('default', 'web', (cur) => ({ ...cur, status: { phase: 'Sleeping' } }), { target: 'status' }),
      'Pod "web" is invalid: status.phase: Unsupported value: "Sleeping": supported values: "Pending", "Running", "Succeeded", "Failed", "Unknown"',
    );
  });

  it('selects by the upstream field labels', async () => {
    const p = pod();
    (p.spec as Record<string, unknown>).nodeName = 'node-1';
    await h.store.create('default', p, {});
    await h.store.create('default', { ...pod(), metadata: { name: 'other' } }, {});
    const onNode = await h.store.list('default', { fieldSelector: 'spec.nodeName=node-1' });
    assert.deepEqual(onNode.items.map((i) => i.metadata?.name), ['web']);
    const unscheduled = await h.store.list('default', { fieldSelector: 'spec.nodeName=,status.phase=Pending' });
    assert.deepEqual(unscheduled.items.map((i) => i.metadata?.name), ['other']);
    const pred = buildPredicate(storageView(pods), undefined, 'spec.hostNetwork=false,spec.restartPolicy=Always,spec.schedulerName=default-scheduler');
    assert.ok(pred?.(await h.store.get('default', 'web')));
    assert.throws(() => buildPredicate(storageView(pods), undefined, 'spec.image=x'), /field label not supported: spec.image/);
  });

  it('deletes right away, returning the object', async () => {
    await h.store.create('default', pod(), {});
    const out = await h.store.delete('default', 'web', {});
    assert.equal(out.gone, true);
    assert.equal(out.object.metadata?.name, 'web');
  });
});
