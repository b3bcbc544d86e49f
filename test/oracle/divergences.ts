/**
 * Step-by-step comparison of our Updater's results with structured-merge-diff's, as
 * readable divergence reports: which step, what differs, both sides.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CaseResult, OracleCaseInput, StepResult } from './smd-oracle.js';

function show(v: unknown): string {
  return JSON.stringify(v, null, 2)
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
}

function stepLabel(c: OracleCaseInput, i: number): string {
  const s = c.steps[i]!;
  return `step ${i + 1} (${s.op} by ${s.manager}${s.force ? ', force' : ''})`;
}

/**
 * The oracle's two conflict lists must agree up to the library's path aliasing: as many
 * conflicts per manager, each returned path among the recomputed ones.
 */
function oracleConflictsConsistent(smd: StepResult): string | undefined {
  const returned = smd.conflictsAsReturned ?? null;
  const recomputed = smd.conflicts;
  if (returned === null || recomputed === null) return returned === recomputed ? undefined : 'one conflict list is missing';
  const count = (list: { manager: string }[]) => list.reduce((m, c) => m.set(c.manager, (m.get(c.manager) ?? 0) + 1), new Map<string, number>());
  if (!isDeepStrictEqual(count(returned), count(recomputed))) return 'conflict counts per manager differ';
  const known = new Set(recomputed.map((c) => `${c.manager}\u0000${c.path}`));
  const stray = returned.find((c) => !known.has(`${c.manager}\u0000${c.path}`));
  return stray ? `returned conflict ${stray.manager} ${stray.path} was not recomputed` : undefined;
}

function compareStep(label: string, smd: StepResult, ours: StepResult): string[] {
  const out: string[] = [];
  const differ = (what: string, a: unknown, b: unknown) => out.push(`${label}: ${what}\n    structured-merge-diff:\n${show(a)}\n    wheelhouse:\n${show(b)}`);
  if (smd.error !== undefined) {
    // Every sequence is meant to be valid: an error from the oracle is a broken case or schema.
    out.push(`${label}: structured-merge-diff failed: ${smd.error}${ours.error !== undefined ? ` (wheelhouse failed too: ${ours.error})` : ''}`);
    return out;
  }
  const inconsistent = oracleConflictsConsistent(smd);
  if (inconsistent) {
    out.push(`${label}: the oracle's conflicts are inconsistent (${inconsistent}):\n${show({ returned: smd.conflictsAsReturned, recomputed: smd.conflicts })}`);
    return out;
  }
  if (ours.error !== undefined) {
    out.push(`${label}: wheelhouse failed: ${ours.error}`);
    return out;
  }
  if (!isDeepStrictEqual(smd.conflicts, ours.conflicts)) differ('conflicts differ', smd.conflicts, ours.conflicts);
  if (smd.unchanged !== ours.unchanged) differ('"object unchanged" differs', smd.unchanged, ours.unchanged);
  if (!isDeepStrictEqual(smd.object, ours.object)) differ('objects differ', smd.object, ours.object);
  const names = [...new Set([...Object.keys(smd.managers), ...Object.keys(ours.managers)])].sort();
  for (const name of names) {
    const a = smd.managers[name];
    const b = ours.managers[name];
    if (!a || !b) {
      differ(`manager ${name} ${a ? 'missing in wheelhouse' : 'only in wheelhouse'}`, a, b);
      continue;
    }
    if (a.applied !== b.applied) differ(`manager ${name}: applied differs`, a.applied, b.applied);
    // fieldsV1 as serialized: the same members in upstream's order.
    const ja = JSON.stringify(a.fieldsV1);
    const jb = JSON.stringify(b.fieldsV1);
    if (ja !== jb) {
      if (isDeepStrictEqual(a.fieldsV1, b.fieldsV1)) differ(`manager ${name}: fieldsV1 has the same members in another order`, ja, jb);
      else differ(`manager ${name}: fieldsV1 differs`, a.fieldsV1, b.fieldsV1);
    }
  }
  return out;
}

/** Every divergence of `ours` from `smd` for the sequence `c`; empty when they agree. */
export function divergences(c: OracleCaseInput, smd: CaseResult, ours: CaseResult): string[] {
  if (smd.error !== undefined) return [`structured-merge-diff could not run the case: ${smd.error}`];
  if (smd.steps.length !== c.steps.length || ours.steps.length !== c.steps.length) {
    return [`step counts differ: ${c.steps.length} steps, ${smd.steps.length} from structured-merge-diff, ${ours.steps.length} from wheelhouse`];
  }
  return c.steps.flatMap((_, i) => compareStep(stepLabel(c, i), smd.steps[i]!, ours.steps[i]!));
}
