/** Building blocks for oracle sequences: steps, and object skeletons of the kinds used. */
import type { OracleCaseInput, OracleStep } from '../smd-oracle.js';

export interface OracleSuite {
  readonly name: string;
  /**
   * Where the kind's TypeNode (the schema both sides merge with) comes from: a built-in
   * kind's proto message, or a custom resource's structural OpenAPI schema.
   */
  readonly schema: { readonly message: string } | { readonly openapi: Record<string, unknown> };
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

/** A sequence over an existing object that no manager owns yet. */
export function from(initial: unknown, name: string, ...steps: OracleStep[]): OracleCaseInput {
  return { name, initial, steps };
}

/** `apiVersion`, `kind` and `metadata.name` (plus any extra metadata), then the body. */
export function object(apiVersion: string, kind: string, name: string, body: Record<string, unknown>, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion, kind, metadata: { name, ...metadata }, ...body };
}
