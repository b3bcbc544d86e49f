import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { parseCronSchedule, validateCronSchedule } from '../../src/machinery/validation/cron.js';
import { cronJobs } from '../../src/registry/batch/cronjobs.js';
import { type Harness, harness, rejectsInvalid } from './harness.js';

const cj = (schedule: string | undefined, name = 'hello'): KubeObject => ({
  metadata: { name },
  spec: {
    ...(schedule !== undefined ? { schedule } : {}),
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
  },
});

describe('cron schedules', () => {
  it('parses fields, ranges, steps, names and descriptors', () => {
    const s = parseCronSchedule('*/15 9-17 * jan-mar mon,fri');
    assert.deepEqual([...s.minutes], [0, 15, 30, 45]);
    assert.deepEqual([...s.hours], [9, 10, 11, 12, 13, 14, 15, 16, 17]);
    assert.deepEqual([...s.months], [1, 2, 3]);
    assert.deepEqual([...s.daysOfWeek], [1, 5]);
    assert.deepEqual([...parseCronSchedule('@hourly').minutes], [0]);
    assert.equal(parseCronSchedule('@every 1h30m').everySeconds, 5400);
  });

  it('reports the parser messages', () => {
    assert.deepEqual(validateCronSchedule('* * *'), ['expected exactly 5 fields, found 3: [* * *]']);
    assert.deepEqual(validateCronSchedule('61 * * * *'), ['end of range (61) above maximum (59): 61']);
    assert.deepEqual(validateCronSchedule('x * * * *'), ['failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax']);
    assert.deepEqual(validateCronSchedule('@often'), ['unrecognized descriptor: @often']);
    assert.deepEqual(validateCronSchedule('5-1 * * * *'), ['beginning of range (5) beyond end of range (1): 5-1']);
    assert.deepEqual(validateCronSchedule('0 0 0 * *'), ['beginning of range (0) below minimum (1): 0']);
  });
});

describe('cronjobs', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness(cronJobs);
  });
  afterEach(() => h.close());

  it('has upstream discovery facts', () => {
    assert.deepEqual(cronJobs.shortNames, ['cj']);
    assert.deepEqual(cronJobs.categories, ['all']);
    assert.equal(cronJobs.tracksGeneration, true);
    assert.ok(cronJobs.statusStrategy);
  });

  it('defaults as upstream', async () => {
    const c = await h.store.create('default', cj('*/1 * * * *'), {});
    const spec = c.spec as Record<string, unknown>;
    assert.equal(spec.concurrencyPolicy, 'Allow');
    assert.equal(spec.suspend, false);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 1);
    const jobSpec = (spec.jobTemplate as { spec: Record<string, unknown> }).spec;
    assert.equal(jobSpec.backoffLimit, undefined);
    assert.equal((jobSpec.template as { spec: Record<string, unknown> }).spec.dnsPolicy, 'ClusterFirst');
    assert.equal(c.metadata?.generation, 1);
  });

  it('requires and parses the schedule', async () => {
    await rejectsInvalid(h.store.create('default', cj(undefined), {}), 'CronJob.batch "hello" is invalid: spec.schedule: Required value');
    await rejectsInvalid(
      h.store.create('default', cj('not a cron'), {}),
      'CronJob.batch "hello" is invalid: spec.schedule: Invalid value: "not a cron": expected exactly 5 fields, found 3: [not a cron]',
    );
    await rejectsInvalid(
      h.store.create('default', cj('TZ=UTC 0 * * * *'), {}),
      'CronJob.batch "hello" is invalid: spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    );
  });

  it('limits the name to 52 characters', async () => {
    const name = 'a'.repeat(53);
    await rejectsInvalid(
      h.store.create('default', cj('@daily', name), {}),
      `CronJob.batch "${name}" is invalid: metadata.name: Invalid value: "${name}": must be no more than 52 characters`,
    );
  });

  it('checks the job template restart policy and concurrency policy', async () => {
    const c = cj('@daily');
    const spec = c.spec as { concurrencyPolicy?: string; jobTemplate: { spec: { template: { spec: Record<string, unknown> } } } };
    spec.jobTemplate.spec.template.spec.restartPolicy = 'Always';
    spec.concurrencyPolicy = 'Sometimes';
    await rejectsInvalid(
      h.store.create('default', c, {}),
      'CronJob.batch "hello" is invalid: [spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace", spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"]',
    );
  });
});
