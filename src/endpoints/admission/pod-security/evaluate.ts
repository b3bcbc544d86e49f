/**
 * Evaluating a pod against a level (upstream's checkRegistry and AggregateCheckResult):
 * baseline checks first, then restricted ones, each group in id order; under restricted the
 * baseline checks a restricted one overrides are skipped. The result reads
 * `reason (detail), reason (detail)`.
 */
import { BASELINE_CHECKS } from './baseline-checks.js';
import type { Level } from './levels.js';
import type { Check, PodMetadata, PodSpec } from './pod-shape.js';
import { RESTRICTED_CHECKS } from './restricted-checks.js';

const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const overridden = new Set(RESTRICTED_CHECKS.flatMap((c) => c.overrides ?? []));

const CHECKS: Record<Exclude<Level, 'privileged'>, readonly Check[]> = {
  baseline: [...BASELINE_CHECKS].sort(byId),
  restricted: [...BASELINE_CHECKS.filter((c) => !overridden.has(c.id)).sort(byId), ...[...RESTRICTED_CHECKS].sort(byId)],
};

/** A pod's violations of a level: the reasons alone (`privileged, hostPath volumes`) and with their details. */
export interface Violations {
  reasons: string;
  details: string;
}

/** The pod's violations of `level`, worded as upstream words them; undefined when it complies. */
export function evaluatePod(level: Level, meta: PodMetadata | undefined, spec: PodSpec | undefined): Violations | undefined {
  if (level === 'privileged') return undefined;
  const reasons: string[] = [];
  const details: string[] = [];
  for (const c of CHECKS[level]) {
    const failure = c.check(meta ?? {}, spec ?? {});
    if (!failure) continue;
    reasons.push(failure.reason);
    details.push(failure.detail ? `${failure.reason} (${failure.detail})` : failure.reason);
  }
  return reasons.length ? { reasons: reasons.join(', '), details: details.join(', ') } : undefined;
}
