/**
 * The bench's report (bench/report.ts): ratios against the same-run baseline, targets judged
 * on the value or on the ratio, one aligned table and plot-ready CSV. The bench itself is
 * never run here: even its quick mode takes minutes on a shared 2-core machine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csv, met, table, withRatios } from '../../bench/report.js';
import type { Row } from '../../bench/context.js';

const rows: Row[] = withRatios([
  { metric: 'raw etcd put', value: 1000, unit: 'ops/s' },
  { metric: 'create over etcd (HTTP JSON)', value: 450, unit: 'ops/s', baseline: { name: 'raw etcd put', value: 1000 }, target: { on: 'ratio', op: '>=', bound: 0.9 } },
  { metric: 'mixed load: errors', value: 0, unit: 'count', target: { on: 'value', op: '<=', bound: 0 } },
  { metric: 'list, p99', value: 12.5, unit: 'ms' },
]);

describe('bench report', () => {
  it('fills in value ÷ baseline and judges targets on what they name', () => {
    assert.equal(rows[1]!.ratio, 0.45);
    assert.equal(rows[0]!.ratio, undefined);
    assert.deepEqual(rows.map(met), [undefined, false, true, undefined]);
  });

  it('prints one CSV row per figure, numbers unformatted, fields with commas quoted', () => {
    assert.equal(
      csv(rows),
      [
        'metric,value,unit,baseline,baseline_value,ratio,target_on,target_op,target,met',
        'raw etcd put,1000,ops/s,,,,,,,',
        'create over etcd (HTTP JSON),450,ops/s,raw etcd put,1000,0.45,ratio,>=,0.9,false',
        'mixed load: errors,0,count,,,,value,<=,0,true',
        'list, p99,12.5,ms,,,,,,,'.replace('list, p99', '"list, p99"'),
        '',
      ].join('\n'),
    );
  });

  it('prints an aligned table with the baseline, the ratio and the target beside each figure', () => {
    const lines = table(rows).split('\n');
    assert.equal(lines.length, 2 + rows.length);
    assert.match(lines[0]!, /^metric\s+value\s+baseline \(same run\)\s+ratio\s+target\s+met$/);
    assert.match(lines[3]!, /^create over etcd \(HTTP JSON\)\s+450 ops\/s\s+1000 \(raw etcd put\)\s+0\.45x\s+ratio ≥ 0\.9\s+NO$/);
    assert.match(lines[4]!, /^mixed load: errors\s+0 count\s+≤ 0 count\s+yes$/);
  });
});
