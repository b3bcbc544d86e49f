import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { deployments } from '../../src/registry/apps/deployments.js';
import { type Harness, harness, rejectsInvalid } from './harness.js';
import { storageView } from '../../src/registry/rest/served.js';

const deploy = (selector: unknown = { matchLabels: { app: 'web' } }, labels: Record<string, string> = { app: 'web' }): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { selector, template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
});
type Spec = Record<string, unknown> & { template: { spec: Record<string, unknown> } };

describe('deployments', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(deployments);
  });
  afterEach(() => h.close());

  it('has upstream discovery facts', () => {
    assert.equal(deployments.group, 'apps');
    assert.deepEqual(deployments.shortNames, ['deploy']);
    assert.deepEqual(deployments.categories, ['all']);
    assert.equal(deployments.tracksGeneration, true);
    assert.equal(storageView(deployments).typeName, 'k8s.io.api.apps.v1.Deployment');
  });

  it('defaults as upstream and starts at generation 1 with an empty status', async () => {
    const d = await h.store.create('default', deploy(), {});
    const spec = d.spec as Spec;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
    assert.equal(spec.template.spec.restartPolicy, 'Always');
    assert.equal(spec.template.spec.enableServiceLinks, undefined);
    assert.equal(d.metadata?.generation, 1);
    assert.deepEqual(d.status, {});
  });

  it('requires a selector that matches the template labels', async () => {
    const noSelector = deploy();
    delete (noSelector.spec as Record<string, unknown>).selector;
    await rejectsInvalid(
      h.store.create('default', noSelector, {}),
      'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`]',
    );
    await rejectsInvalid(
      h.store.create('default', deploy({ matchLabels: { app: 'other' } }), {}),
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    );
    await rejectsInvalid(
      h.store.create('default', deploy({}), {}),
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    );
  });

  it('validates the template and strategy', async () => {
    const d = deploy();
    const spec = d.spec as Spec;
    spec.template.spec.restartPolicy = 'Never';
    spec.template.spec.containers = [{ name: 'nginx' }];
    spec.strategy = { type: 'Recreate', rollingUpdate: {} };
    await rejectsInvalid(
      h.store.create('default', d, {}),
      "Deployment.apps \"web\" is invalid: [spec.template.spec.containers[0].image: Required value, spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\", spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate']",
    );
  });

  it('bumps the generation on spec changes only and keeps the selector immutable', async () => {
    await h.store.create('default', deploy(), {});
    const scaled = await h.store.update('default', 'web', (cur) => ({ ...cur, spec: { ...(cur.spec as object), replicas: 3 } }), { target: 'main' });
    assert.equal(scaled.metadata?.generation, 2);
    const labelled = await h.store.update('default', 'web', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { x: 'y' } } }), { target: 'main' });
    assert.equal(labelled.metadata?.generation, 2);
    await rejectsInvalid(
      h.store.update(
        'default',
        'web',
        (cur) => {
          const next = structuredClone(cur);
          const spec = next.spec as Spec;
          spec.selector = { matchLabels: { app: 'web', tier: 'fe' } };
          (spec.template as unknown as { metadata: { labels: object } }).metadata.labels = { app: 'web', tier: 'fe' };
          return next;
        },
        { target: 'main' },
      ),
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  });

  it('writes status only through /status', async () => {
    await h.store.create('default', deploy(), {});
    const main = await h.store.update('default', 'web', (cur) => ({ ...cur, status: { replicas: 5 } }), { target: 'main' });
    assert.deepEqual(main.status, {});
    const st = await h.store.update('default', 'web', (cur) => ({ ...cur, status: { replicas: 1, readyReplicas: 1 } }), { target: 'status' });
    assert.deepEqual(st.status, { replicas: 1, readyReplicas: 1 });
    assert.equal(st.metadata?.generation, 1);
  });
});
