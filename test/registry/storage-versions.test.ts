/**
 * StorageVersionMigration and StorageVersion validation as upstream's 1.33 rules
 * (pkg/apis/storagemigration/validation, pkg/apis/apiserverinternal/validation), through the
 * generic store: the rules the kubectl test does not reach.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { validateStorageVersionName } from '../../src/registry/apiserverinternal/storageversions.js';
import { storageVersions } from '../../src/registry/apiserverinternal/storageversions.js';
import { storageVersionMigrations } from '../../src/registry/storagemigration/storageversionmigrations.js';
import { harness, type Harness, rejectsInvalid } from './harness.js';

const T = '2024-01-01T00:00:00Z';
const condition = (type: string, status: string, reason = 'R') => ({ type, status, lastUpdateTime: T, reason });

describe('StorageVersionMigration status rules', () => {
  let h: Harness;
  before(async () => {
    h = harness(storageVersionMigrations);
    await h.store.create(undefined, { metadata: { name: 'm' }, spec: { resource: { group: 'apps', version: 'v1', resource: 'deployments' } } }, {});
  });
  after(async () => h.close());

  const writeStatus = (status: unknown) => h.store.update(undefined, 'm', (cur: KubeObject) => ({ ...cur, status }), { target: 'status' });
  const invalid = (detail: string) => `StorageVersionMigration.storagemigration.k8s.io "m" is invalid: ${detail}`;

  it('refuses duplicate types, final conditions together or with Running, and a non-numeric resourceVersion', async () => {
    await rejectsInvalid(writeStatus({ conditions: [condition('Running', 'True'), condition('Running', 'False')] }), invalid('status.conditions[1].type: Duplicate value: "Running"'));
    await assert.rejects(writeStatus({ conditions: [condition('Succeeded', 'True'), condition('Failed', 'True')] }), /Both success and failed conditions cannot be true at the same time/);
    await assert.rejects(writeStatus({ conditions: [condition('Succeeded', 'True'), condition('Running', 'True')] }), /Running condition cannot be true when success condition is true/);
    await assert.rejects(writeStatus({ conditions: [condition('Failed', 'True'), condition('Running', 'True')] }), /Running condition cannot be true when failed condition is true/);
    await rejectsInvalid(
      writeStatus({ resourceVersion: 'abc' }),
      invalid('status.resourceVersion: Invalid value: "abc": failed to parse resource version "abc": strconv.ParseInt: parsing "abc": invalid syntax'),
    );
    await rejectsInvalid(writeStatus({ resourceVersion: '-1' }), invalid('status.resourceVersion: Invalid value: -1: must be greater than or equal to 0'));
  });

  it('sets status.resourceVersion once, and keeps Succeeded once true', async () => {
    await writeStatus({ resourceVersion: '12', conditions: [condition('Running', 'True')] });
    await rejectsInvalid(writeStatus({ resourceVersion: '13' }), invalid('status.resourceVersion: Invalid value: "13": cannot be updated'));
    await writeStatus({ resourceVersion: '12', conditions: [condition('Running', 'False'), condition('Succeeded', 'True')] });
    await assert.rejects(writeStatus({ resourceVersion: '12', conditions: [condition('Succeeded', 'False')] }), /Success condition cannot be set to false once it is true/);
  });

  it('refuses a change of the named resource, reporting each part by its bare name', async () => {
    await rejectsInvalid(
      h.store.update(undefined, 'm', (cur: KubeObject) => ({ ...cur, spec: { resource: { group: 'batch', version: 'v1', resource: 'deployments' } } }), { target: 'main' }),
      invalid('group: Invalid value: "batch": field is immutable'),
    );
  });
});

describe('StorageVersion rules', () => {
  it('names: <group>.<resource>, the group a DNS subdomain and the resource a DNS-1035 label', () => {
    assert.deepEqual(validateStorageVersionName('apps.deployments'), []);
    assert.deepEqual(validateStorageVersionName('flowcontrol.apiserver.k8s.io.flowschemas'), []);
    assert.deepEqual(validateStorageVersionName('deployments'), ['name must be in the form of <group>.<resource>']);
    const [resource] = validateStorageVersionName('apps.1deployments');
    assert.match(resource ?? '', /^the resource segment a DNS-1035 label must consist of lower case alphanumeric characters/);
    const [group] = validateStorageVersionName('Apps.deployments');
    assert.match(group ?? '', /^the group segment a lowercase RFC 1123 subdomain must consist of/);
  });

  let h: Harness;
  before(async () => {
    h = harness(storageVersions);
    await h.store.create(undefined, { metadata: { name: 'apps.deployments' }, spec: {} }, {});
  });
  after(async () => h.close());
  const writeStatus = (status: unknown) => h.store.update(undefined, 'apps.deployments', (cur: KubeObject) => ({ ...cur, status }), { target: 'status' });
  const invalid = (detail: string) => `StorageVersion.internal.apiserver.k8s.io "apps.deployments" is invalid: ${detail}`;

  it('checks each server entry, the common version and the conditions', async () => {
    await rejectsInvalid(
      writeStatus({ storageVersions: [{ apiServerID: 'Server_1', encodingVersion: 'apps/v1', decodableVersions: ['apps/v1'] }], commonEncodingVersion: 'apps/v1' }),
      invalid(
        "status.storageVersions[0].apiServerID: Invalid value: \"Server_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    );
    await rejectsInvalid(
      writeStatus({ storageVersions: [{ apiServerID: 's', encodingVersion: '/v1', decodableVersions: ['/v1'] }], commonEncodingVersion: '/v1' }),
      invalid('[status.storageVersions[0].encodingVersion: Invalid value: "/v1": group part: must be non-empty, status.storageVersions[0].decodableVersions[0]: Invalid value: "/v1": group part: must be non-empty]'),
    );
    await rejectsInvalid(
      writeStatus({ storageVersions: [{ apiServerID: 's', encodingVersion: 'apps/v1', decodableVersions: ['apps/v1'] }] }),
      invalid('status.commonEncodingVersion: Invalid value: "null": the common encoding version is apps/v1'),
    );
    await rejectsInvalid(
      writeStatus({ conditions: [{ type: 'A', status: 'True', reason: 'r', message: 'm' }, { type: 'A', status: 'True', reason: 'r', message: 'm' }] }),
      invalid('status[1].type: Invalid value: "A": the type of the condition is not unique, it also appears in conditions[0]'),
    );
    const ok = await writeStatus({ storageVersions: [{ apiServerID: 's', encodingVersion: 'apps/v1', decodableVersions: ['apps/v1', 'apps/v1beta1'] }], commonEncodingVersion: 'apps/v1' });
    assert.equal((ok.status as { commonEncodingVersion?: string }).commonEncodingVersion, 'apps/v1');
  });
});
