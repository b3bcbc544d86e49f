/** Go durations (`?timeout=`, `--request-timeout`) read as time.ParseDuration reads them, errors in its words. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration } from '../../src/util/go-duration.js';

describe('parseGoDuration', () => {
  it('reads units, fractions, sums and signs', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['-0', 0],
      ['5s', 5000],
      ['1m0s', 60_000],
      ['1h30m', 5_400_000],
      ['1.5s', 1500],
      ['.5s', 500],
      ['2.s', 2000],
      ['300ms', 300],
      ['1500us', 1.5],
      ['1500µs', 1.5],
      ['2000000ns', 2],
      ['-1.5h', -5_400_000],
      ['+10s', 10_000],
    ];
    for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
  });

  it('refuses what Go refuses, with its message', () => {
    const cases: [string, string][] = [
      ['', 'time: invalid duration ""'],
      ['soon', 'time: invalid duration "soon"'],
      ['-', 'time: invalid duration "-"'],
      ['.s', 'time: invalid duration ".s"'],
      ['10', 'time: missing unit in duration "10"'],
      ['1s5', 'time: missing unit in duration "1s5"'],
      ['3d', 'time: unknown unit "d" in duration "3d"'],
      ['1 s', 'time: unknown unit " s" in duration "1 s"'],
    ];
    for (const [text, message] of cases) assert.throws(() => parseGoDuration(text), { message }, text);
  });
});
