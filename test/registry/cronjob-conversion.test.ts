/**
 * CronJob batch/v1 <-> v1beta1 <-> v2alpha1 and Job batch/v1 <-> v2alpha1
 * conversion: every fixture converts to every other version and back exactly,
 * the converted objects are valid Kubernetes JSON of their target message, and
 * the fields v2alpha1 lacks travel in Wheelhouse's annotations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { normalizeKubeJson } from '../../src/machinery/schema/index.js';
import {
  CRONJOB_LAST_SUCCESSFUL_TIME_ANNOTATION,
  CRONJOB_TIME_ZONE_ANNOTATION,
  cronJobV1beta1ToV1,
  cronJobV1ToV1beta1,
  cronJobV1ToV2alpha1,
  cronJobV2alpha1ToV1,
} from '../../src/registry/batch/cronjob-conversion.js';
import { jobV1ToV2alpha1, jobV2alpha1ToV1 } from '../../src/registry/batch/job-conversion.js';
import { bodyOf, loadFixtureJson } from '../machinery/roundtrip-checks.js';

type Convert = (obj: KubeObject) => KubeObject;

/** Each CronJob version: its message, and the conversions from and to the hub (batch/v1). */
const CRONJOB_VERSIONS: Record<string, { typeName: string; fromHub: Convert; toHub: Convert }> = {
  'batch/v1': { typeName: 'k8s.io.api.batch.v1.CronJob', fromHub: (o) => o, toHub: (o) => o },
  'batch/v1beta1': { typeName: 'k8s.io.api.batch.v1beta1.CronJob', fromHub: cronJobV1ToV1beta1, toHub: cronJobV1beta1ToV1 },
  'batch/v2alpha1': { typeName: 'k8s.io.api.batch.v2alpha1.CronJob', fromHub: (o) => cronJobV1ToV2alpha1(o), toHub: cronJobV2alpha1ToV1 },
};

function assertValid(typeName: string, obj: KubeObject): void {
  assert.deepEqual(normalizeKubeJson(typeName, bodyOf(obj)).unknownFields, [], `${typeName}: unknown fields`);
}

function convert(obj: KubeObject, from: string, to: string): KubeObject {
  return CRONJOB_VERSIONS[to]!.fromHub(CRONJOB_VERSIONS[from]!.toHub(obj));
}

const CRONJOB_FIXTURES: Record<string, () => KubeObject> = {
  'batch/v1': () => loadFixtureJson('batch.v1.CronJob') as KubeObject,
  'batch/v1beta1': () => loadFixtureJson('batch.v1beta1.CronJob') as KubeObject,
  'batch/v2alpha1': () => cronJobV1ToV2alpha1(loadFixtureJson('batch.v1.CronJob') as KubeObject),
};

describe('CronJob fixtures round-trip through every version', () => {
  for (const [from, load] of Object.entries(CRONJOB_FIXTURES)) {
    for (const to of Object.keys(CRONJOB_VERSIONS)) {
      if (to === from) continue;
      it(`${from} -> ${to} -> ${from} is exact`, () => {
        const original = load();
        const before = JSON.stringify(original);
        const converted = convert(original, from, to);
        assert.equal(converted.apiVersion, to);
        assert.equal(converted.kind, 'CronJob');
        assertValid(CRONJOB_VERSIONS[to]!.typeName, converted);
        const back = convert(converted, to, from);
        assert.deepEqual(back, original);
        assert.equal(JSON.stringify(original), before, 'the input is untouched');
      });
    }
  }
});

describe('CronJob fields batch/v2alpha1 lacks', () => {
  it('timeZone and lastSuccessfulTime move into wheelhouse.dev annotations and back', () => {
    const v1 = loadFixtureJson('batch.v1.CronJob') as KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> };
    const v2 = cronJobV1ToV2alpha1(v1) as KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> };
    assert.equal(v2.apiVersion, 'batch/v2alpha1');
    assert.equal('timeZone' in v2.spec, false);
    assert.equal('lastSuccessfulTime' in v2.status, false);
    assert.deepEqual(v2.metadata?.annotations, {
      ...v1.metadata?.annotations,
      [CRONJOB_TIME_ZONE_ANNOTATION]: v1.spec.timeZone,
      [CRONJOB_LAST_SUCCESSFUL_TIME_ANNOTATION]: v1.status.lastSuccessfulTime,
    });
    const back = cronJobV2alpha1ToV1(v2);
    assert.deepEqual(back.metadata?.annotations, v1.metadata?.annotations);
    assert.deepEqual(Object.keys(back.spec as object), Object.keys(v1.spec), 'timeZone is back in Go struct order');
  });

  it('an empty timeZone is a value; without the fields no annotation is written', () => {
    const v1 = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', timeZone: '' } };
    const v2 = cronJobV1ToV2alpha1(v1);
    assert.deepEqual(v2.metadata, { name: 'c', annotations: { [CRONJOB_TIME_ZONE_ANNOTATION]: '' } });
    assert.deepEqual(cronJobV2alpha1ToV1(v2), v1);
    const plain = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *' } };
    assert.deepEqual(cronJobV1ToV2alpha1(plain, 'ScheduledJob'), { ...plain, apiVersion: 'batch/v2alpha1', kind: 'ScheduledJob' });
  });

  it('converting to v2alpha1 drops stale copies the v1 object carried', () => {
    const v1 = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', annotations: { [CRONJOB_TIME_ZONE_ANNOTATION]: 'Europe/Paris' } }, spec: { schedule: '@daily' } };
    assert.deepEqual(cronJobV1ToV2alpha1(v1).metadata, { name: 'c' });
  });
});

describe('Job batch/v1 <-> batch/v2alpha1', () => {
  it('the fixture converts and comes back exactly; only apiVersion changes', () => {
    const v1 = loadFixtureJson('batch.v1.Job') as KubeObject;
    const v2 = jobV1ToV2alpha1(v1);
    assert.deepEqual(v2, { ...v1, apiVersion: 'batch/v2alpha1' });
    assertValid('k8s.io.api.batch.v1.Job', v2);
    assert.deepEqual(jobV2alpha1ToV1(v2), v1);
    assert.equal(v1.apiVersion, 'batch/v1');
  });
});
