/** meta/v1 Time parsing across the whole year range Go accepts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeKubeJson } from '../../src/machinery/schema/index.js';
import { parseRfc3339 } from '../../src/machinery/schema/time-format.js';

describe('RFC 3339 times', () => {
  it('reads years below 100 as written (Go zero time is year 1)', () => {
    const zero = parseRfc3339('0001-01-01T00:00:00Z');
    assert.ok(zero);
    assert.equal(new Date(zero.seconds * 1000).getUTCFullYear(), 1);
    const y99 = parseRfc3339('0099-12-31T23:59:59Z');
    assert.ok(y99);
    assert.equal(new Date(y99.seconds * 1000).toISOString(), '0099-12-31T23:59:59.000Z');
  });

  it('drops Go zero time from objects, keeps real ones', () => {
    const { object } = normalizeKubeJson('k8s.io.api.core.v1.ConfigMap', {
      metadata: { name: 'x', creationTimestamp: '0001-01-01T00:00:00Z', deletionTimestamp: '2008-01-01T01:01:01Z' },
    });
    assert.deepEqual(object, { metadata: { name: 'x', deletionTimestamp: '2008-01-01T01:01:01Z' } });
  });
});
