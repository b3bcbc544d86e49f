/** The run's rows as one text table and as plot-ready CSV. */
import type { Row, Target } from './context.js';

const fmt = (n: number | undefined, digits = 2): string =>
  n === undefined || !Number.isFinite(n) ? '' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(digits);

function targetText(t: Target | undefined, unit: string): string {
  if (!t) return '';
  return t.on === 'ratio' ? `ratio ${t.op === '>=' ? '≥' : '≤'} ${t.bound}` : `${t.op === '>=' ? '≥' : '≤'} ${t.bound} ${unit}`;
}

/** Whether a row meets its target; undefined when it has none (or no ratio to judge it by). */
export function met(row: Row): boolean | undefined {
  const t = row.target;
  if (!t) return undefined;
  const v = t.on === 'ratio' ? row.ratio : row.value;
  if (v === undefined) return undefined;
  return t.op === '>=' ? v >= t.bound : v <= t.bound;
}

/** The rows as an aligned text table. */
export function table(rows: Row[]): string {
  const cells = rows.map((r) => {
    const ok = met(r);
    return [r.metric, `${r.unit === 'count' ? r.value.toFixed(0) : fmt(r.value)} ${r.unit}`, r.baseline ? `${fmt(r.baseline.value)} (${r.baseline.name})` : '', r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '', targetText(r.target, r.unit), ok === undefined ? '' : ok ? 'yes' : 'NO'];
  });
  const head = ['metric', 'value', 'baseline (same run)', 'ratio', 'target', 'met'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

const csvCell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The rows as CSV: one row per figure, numbers unformatted. */
export function csv(rows: Row[]): string {
  const out = ['metric,value,unit,baseline,baseline_value,ratio,target_on,target_op,target,met'];
  for (const r of rows) {
    const ok = met(r);
    out.push(
      [r.metric, String(r.value), r.unit, r.baseline?.name ?? '', r.baseline ? String(r.baseline.value) : '', r.ratio !== undefined ? String(r.ratio) : '', r.target?.on ?? '', r.target?.op ?? '', r.target ? String(r.target.bound) : '', ok === undefined ? '' : String(ok)]
        .map(csvCell)
        .join(','),
    );
  }
  return out.join('\n') + '\n';
}


/** Fills in value ÷ baseline on every row that has a baseline and no ratio of its own. */
export function withRatios(rows: Row[]): Row[] {
  return rows.map((r) => (r.baseline && r.ratio === undefined && r.baseline.value !== 0 ? { ...r, ratio: r.value / r.baseline.value } : r));
}
