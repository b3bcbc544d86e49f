/**
 * Differential oracle: every apply/update sequence of `cases/` runs through our field
 * manager's Updater and through structured-merge-diff's merge.Updater (the library
 * kube-apiserver uses, built from Debian's package), with the same schema — our TypeNode
 * of the kind, emitted as an SMD schema. After every step both must hold the same object,
 * the same managers with the same `applied` flag and byte-identical `fieldsV1`, and have
 * met the same conflicts (manager and path). Not skippable: no Go, no pass.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { typeNodeForOpenApi } from '../../src/machinery/fieldmanager/schema-from-openapi.js';
import { typeNodeForMessage } from '../../src/machinery/fieldmanager/schema-from-plan.js';
import type { StructuralSchema } from '../../src/machinery/runtime/kind-schema.js';
import { ORACLE_SUITES, type OracleSuite } from './cases/index.js';
import { divergences } from './divergences.js';
import { runSmdOracle, type CaseResult } from './smd-oracle.js';
import { smdSchema } from './smd-schema.js';
import { runWheelhouseUpdater } from './wheelhouse-updater.js';

function typeOf(suite: OracleSuite) {
  return 'message' in suite.schema ? typeNodeForMessage(suite.schema.message) : typeNodeForOpenApi(suite.schema.openapi as StructuralSchema);
}

const results = ORACLE_SUITES.map((suite) => {
  const type = typeOf(suite);
  const { schema, typeName } = smdSchema(
    type,
    suite.cases.flatMap((c) => c.steps.map((s) => s.object)),
  );
  return { suite, smd: runSmdOracle({ schema, typeName, cases: suite.cases }), ours: runWheelhouseUpdater(type, suite.cases) };
});

test('the sequences cover what the oracle is for', () => {
  const cases = results.flatMap((r) => r.suite.cases);
  assert.ok(cases.length >= 60, `${cases.length} sequences`);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'sequence names are unique');
  const steps = results.flatMap((r) => r.smd.flatMap((c: CaseResult) => c.steps));
  const inputs = cases.flatMap((c) => c.steps);
  // Counted on the oracle's answers, so a schema that made everything trivial would show.
  assert.ok(steps.filter((s) => s.conflicts !== null).length >= 20, 'conflicting applies');
  assert.ok(steps.filter((s) => s.unchanged).length >= 5, 'no-op applies');
  assert.ok(inputs.filter((s) => s.force).length >= 15, 'forced applies');
  assert.ok(inputs.filter((s) => s.op === 'update').length >= 15, 'updates');
  assert.ok(steps.filter((s) => Object.keys(s.managers).length >= 3).length >= 3, 'three managers at once');
});

for (const { suite, smd, ours } of results) {
  for (const [i, c] of suite.cases.entries()) {
    test(`${suite.name}: ${c.name}`, () => {
      const found = divergences(c, smd[i]!, ours[i]!);
      assert.equal(found.length, 0, `wheelhouse diverges from structured-merge-diff in "${c.name}":\n${found.join('\n')}`);
    });
  }
}
