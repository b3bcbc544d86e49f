import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { jobs } from '../../src/registry/batch/jobs.js';
import { type Harness, harness, rejectsInvalid } from './harness.js';
import { storageView } from '../../src/registry/rest/served.js';

const job = (restartPolicy?: string): KubeObject => ({
  metadata: { name: 'pi' },
  spec: { template: { spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'pi', image: 'perl:5.34' }] } } },
});
type Spec = Record<string, unknown> & { template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } };

describe('jobs', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(jobs);
  });
  afterEach(() => h.close());

  it('has upstream discovery facts', () => {
    assert.equal(jobs.group, 'batch');
    assert.equal(jobs.shortNames, undefined);
    assert.deepEqual(jobs.categories, ['all']);
    assert.equal(jobs.tracksGeneration, true);
    assert.equal(storageView(jobs).listTypeName, 'k8s.io.api.batch.v1.JobList');
  });

  it('defaults and generates the selector and labels', async () => {
    const j = await h.store.create('default', job('Never'), {});
    const uid = j.metadata?.uid ?? '';
    const spec = j.spec as Spec;
    assert.equal(spec.completions, 1);
    assert.equal(spec.parallelism, 1);
    assert.equal(spec.backoffLimit, 6);
    assert.equal(spec.completionMode, 'NonIndexed');
    assert.equal(spec.suspend, false);
    assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
    assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    const labels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': uid,
      'job-name': 'pi',
    };
    assert.deepEqual(spec.template.metadata.labels, labels);
    assert.deepEqual(j.metadata?.labels, labels);
    assert.equal(j.metadata?.generation, 1);
    assert.deepEqual(j.status, {});
  });

  it('requires OnFailure or Never with the upstream message', async () => {
    await rejectsInvalid(
      h.store.create('default', job(), {}),
      'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    );
  });

  it('rejects a hand-written selector without manualSelector', async () => {
    const j = job('Never');
    (j.spec as Spec).selector = { matchLabels: { app: 'x' } };
    (j.spec as Spec).template.metadata = { labels: { app: 'x' } };
    // The selector as upstream holds it (a *metav1.LabelSelector, printed with %#v), the generated uid label added.
    await assert.rejects(
      h.store.create('default', j, {}),
      /spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\{"app":"x", "batch\.kubernetes\.io\/controller-uid":"[0-9a-f-]{36}"\}, MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: `selector` not auto-generated/,
    );
  });

  it('accepts a manual selector when asked', async () => {
    const j = job('OnFailure');
    (j.spec as Spec).manualSelector = true;
    (j.spec as Spec).selector = { matchLabels: { app: 'x' } };
    (j.spec as Spec).template.metadata = { labels: { app: 'x' } };
    const created = await h.store.create('default', j, {});
    assert.deepEqual((created.spec as Spec).selector, { matchLabels: { app: 'x' } });
    assert.deepEqual((created.spec as Spec).template.metadata.labels, { app: 'x' });
  });

  it('keeps the template immutable but lets suspend change', async () => {
    await h.store.create('default', job('Never'), {});
    const suspended = await h.store.update('default', 'pi', (cur) => ({ ...cur, spec: { ...(cur.spec as object), suspend: true } }), { target: 'main' });
    assert.equal((suspended.spec as Spec).suspend, true);
    assert.equal(suspended.metadata?.generation, 2);
    await assert.rejects(
      h.store.update(
        'default',
        'pi',
        (cur) => {
          const next = structuredClone(cur);
          ((next.spec as Spec).template.spec.containers as { image: string }[])[0]!.image = 'perl:5.36';
          return next;
        },
        { target: 'main' },
      ),
      /Job.batch "pi" is invalid: spec.template: Invalid value: .*: field is immutable$/,
    );
  });
});
