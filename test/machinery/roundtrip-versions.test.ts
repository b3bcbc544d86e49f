/**
 * The fixture oracle for the kinds' other versions (batch/v1beta1 CronJob,
 * autoscaling/v1 and v2 HorizontalPodAutoscaler, apps/v1 ReplicaSet) before the
 * registry serves them. Upstream has no batch/v2alpha1 fixture: one is derived
 * from the batch/v1 CronJob fixture by conversion and must encode and decode
 * losslessly through the v2alpha1 message.
 */
import { describe } from 'node:test';
import { cronJobV1ToV2alpha1 } from '../../src/registry/batch/cronjob-conversion.js';
import { itRoundTripsFixture, itRoundTripsJson, loadFixtureJson } from './roundtrip-checks.js';
import { fixtureTypeName } from './roundtrip-kinds.js';

const VERSIONED_FIXTURES = [
  'batch.v1beta1.CronJob',
  'autoscaling.v1.HorizontalPodAutoscaler',
  'autoscaling.v2.HorizontalPodAutoscaler',
  'apps.v1.ReplicaSet',
];

for (const fixture of VERSIONED_FIXTURES) {
  const typeName = fixtureTypeName(fixture);
  describe(`round trip ${fixture} (${typeName})`, () => {
    itRoundTripsFixture(fixture, typeName);
  });
}

describe('round trip batch.v2alpha1.CronJob derived from batch.v1.CronJob', () => {
  itRoundTripsJson('k8s.io.api.batch.v2alpha1.CronJob', () => cronJobV1ToV2alpha1(loadFixtureJson('batch.v1.CronJob')));
});
