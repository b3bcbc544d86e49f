/** Durations as apimachinery's duration.HumanDuration prints them, and translateTimestampSince. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanDuration, since } from '../../src/util/duration.js';

describe('HumanDuration', () => {
  it('prints each range as upstream does', () => {
    const cases: Array<[number, string]> = [
      [-3, '<invalid>'],
      [-1.5, '0s'],
      [0, '0s'],
      [119.9, '119s'],
      [120, '2m'],
      [9 * 60 + 59, '9m59s'],
      [10 * 60 + 59, '10m'],
      [179 * 60, '179m'],
      [3 * 3600, '3h'],
      [7 * 3600 + 59 * 60, '7h59m'],
      [8 * 3600 + 30 * 60, '8h'],
      [47 * 3600, '47h'],
      [48 * 3600, '2d'],
      [7 * 86400 + 23 * 3600, '7d23h'],
      [8 * 86400, '8d'],
      [729 * 86400, '729d'],
      [730 * 86400, '2y'],
      [3 * 365 * 86400 + 10 * 86400, '3y10d'],
      [8 * 365 * 86400, '8y'],
    ];
    for (const [seconds, text] of cases) assert.equal(humanDuration(seconds), text, `${seconds}s`);
  });

  it('prints the time since a timestamp, <unknown> without one', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    assert.equal(since('2026-01-01T11:48:00Z', now), '12m');
    assert.equal(since(undefined, now), '<unknown>');
    assert.equal(since('', now), '<unknown>');
  });
});
