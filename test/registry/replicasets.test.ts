import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { replicaSets } from '../../src/registry/apps/replicasets.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { type Harness, harness, rejectsInvalid } from './harness.js';

const rs = (selector: unknown = { matchLabels: { app: 'web' } }, labels: Record<string, string> = { app: 'web' }): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web' },
  spec: { selector, template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
});

describe('replicasets', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(replicaSets);
  });
  afterEach(() => h.close());

  it('has upstream discovery facts from its declaration', () => {
    assert.equal(replicaSets.group, 'apps');
    assert.equal(replicaSets.kind, 'ReplicaSet');
    assert.deepEqual(replicaSets.shortNames, ['rs']);
    assert.deepEqual(replicaSets.categories, ['all']);
    assert.deepEqual(replicaSets.versions.map((v) => [v.version, v.typeName]), [['v1', 'k8s.io.api.apps.v1.ReplicaSet']]);
  });

  it('defaults one replica and starts at generation 1 with an empty status', async () => {
    const created = await h.store.create('default', rs(), {});
    assert.equal((created.spec as { replicas?: number }).replicas, 1);
    assert.equal(created.metadata?.generation, 1);
    assert.deepEqual(created.status, {});
  });

  it('requires a selector matching the template, and keeps it', async () => {
    await rejectsInvalid(
      h.store.create('default', rs({ matchLabels: { app: 'other' } }), {}),
      'ReplicaSet.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    );
    await h.store.create('default', rs(), {});
    await rejectsInvalid(
      h.store.update('default', 'web', () => rs({ matchLabels: { app: 'web', tier: 'x' } }, { app: 'web', tier: 'x' }), { target: 'main' }),
      'ReplicaSet.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  });
});

describe('replicasets over HTTP', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  it('serves CRUD, /scale and discovery', async () => {
    const created = await api(ts.server, 'POST', '/apis/apps/v1/namespaces/default/replicasets', rs());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const scale = await api(ts.server, 'PUT', '/apis/apps/v1/namespaces/default/replicasets/web/scale', {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 4 },
    });
    assert.equal(scale.status, 200, JSON.stringify(scale.body));
    assert.equal(scale.body.spec.replicas, 4);
    assert.equal(scale.body.status.selector, 'app=web');
    const got = await api(ts.server, 'GET', '/apis/apps/v1/namespaces/default/replicasets/web');
    assert.equal(got.body.spec.replicas, 4);
    const list = await api(ts.server, 'GET', '/apis/apps/v1');
    const names = list.body.resources.map((r: { name: string }) => r.name).filter((n: string) => n.startsWith('replicasets'));
    assert.deepEqual(names, ['replicasets', 'replicasets/scale', 'replicasets/status']);
  });
});
