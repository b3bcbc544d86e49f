/** Building blocks for oracle sequences: steps, and object skeletons of the kinds used. */
import type { OracleCaseInput, OracleStep } from '../smd-oracle.js';

export interface OracleSuite {
  /** The proto message of the kind: its TypeNode is the schema both sides merge with. */
  readonly message: string;
  readonly cases: readonly OracleCaseInput[];
}

export function apply(manager: string, object: unknown, force = false): OracleStep {
  return force ? { op: 'apply', manager, object, force } : { op: 'apply', manager, object };
}

export function update(manager: string, object: unknown): OracleStep {
  return { op: 'update', manager, object };
}

export function seq(name: string, ...steps: OracleStep[]): OracleCaseInput {
  return { name, steps };
}

/** `apiVersion`, `kind` and `metadata.name` (plus any extra metadata), then the body. */
export function object(apiVersion: string, kind: string, name: string, body: Record<string, unknown>, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion, kind, metadata: { name, ...metadata }, ...body };
}
