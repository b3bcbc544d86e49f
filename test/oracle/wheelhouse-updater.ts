/**
 * The same sequences through our field manager's Updater, step for step as
 * `smd/main.go` runs them through structured-merge-diff: start from the case's initial
 * object (`{}` unless given) and no managers
 * at API version v1; an apply first runs without force so its conflicts are seen, and a
 * forced apply then runs again with force; an apply that changes nothing leaves the
 * object as it was.
 */
import { ApplyConflicts, Updater, type ManagedFields } from '../../src/machinery/fieldmanager/updater.js';
import type { TypeNode } from '../../src/machinery/fieldmanager/type-node.js';
import type { CaseResult, OracleCaseInput, StepResult } from './smd-oracle.js';

const VERSION = 'v1';

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function managersOut(managers: ManagedFields): StepResult['managers'] {
  const out: StepResult['managers'] = {};
  for (const [name, owned] of managers) out[name] = { applied: owned.applied, fieldsV1: owned.set.toFieldsV1() };
  return out;
}

function sortedConflicts(err: ApplyConflicts): { manager: string; path: string }[] {
  return err.conflicts
    .map((c) => ({ manager: c.manager, path: c.path }))
    .sort((a, b) => (a.manager !== b.manager ? (a.manager < b.manager ? -1 : 1) : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function runCase(type: TypeNode, c: OracleCaseInput): CaseResult {
  const updater = new Updater();
  let live: unknown = c.initial === undefined ? {} : clone(c.initial);
  let managers: ManagedFields = new Map();
  const steps: StepResult[] = [];
  for (const s of c.steps) {
    const step: StepResult = { object: undefined, unchanged: false, managers: {}, conflicts: null };
    // Each call gets its own copies: a caller's values must survive a failed step untouched.
    const object = clone(s.object);
    try {
      if (s.op === 'update') {
        const r = updater.update(clone(live), object, type, VERSION, new Map(managers), s.manager);
        live = r.object;
        managers = r.managers;
      } else {
        let r: { object: unknown; managers: ManagedFields } | undefined;
        try {
          r = updater.apply(clone(live), object, type, VERSION, new Map(managers), s.manager, false);
        } catch (err) {
          if (!(err instanceof ApplyConflicts)) throw err;
          step.conflicts = sortedConflicts(err);
          if (s.force) r = updater.apply(clone(live), clone(s.object), type, VERSION, new Map(managers), s.manager, true);
        }
        if (r) {
          managers = r.managers;
          if (r.object === undefined) step.unchanged = true;
          else live = r.object;
        }
      }
    } catch (err) {
      step.error = err instanceof Error ? err.message : String(err);
    }
    step.object = clone(live);
    step.managers = managersOut(managers);
    steps.push(step);
  }
  return { name: c.name, steps };
}

/** Runs every case through our Updater with `type` as the schema. */
export function runWheelhouseUpdater(type: TypeNode, cases: readonly OracleCaseInput[]): CaseResult[] {
  return cases.map((c) => runCase(type, c));
}
