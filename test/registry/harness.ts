/** Test harness: a generic store for one definition over the in-memory backend. */
import assert from 'node:assert/strict';
import { ApiError } from '../../src/machinery/errors/index.js';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import type { FieldError } from '../../src/machinery/validation/field-error.js';
import { fieldErrorBody } from '../../src/machinery/validation/field-error.js';
import { createGenericStore } from '../../src/registry/generic/store.js';
import type { ResourceDefinition } from '../../src/registry/rest/definition.js';
import type { ResourceStore } from '../../src/registry/rest/resource-store.js';
import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { createObjectStore } from '../../src/storage/object-store.js';

/** A store plus its cleanup. */
export interface Harness {
  store: ResourceStore;
  close(): Promise<void>;
}

/** A generic store for `def` over a fresh in-memory backend. */
export function harness(def: ResourceDefinition): Harness {
  const backend = createMemoryBackend();
  const store = createGenericStore(def, { store: createObjectStore(backend), prefix: '/registry' });
  return { store, close: async () => backend.close() };
}

/** Field errors rendered as upstream prints them: `field: Type: detail`. */
export function render(errs: FieldError[]): string[] {
  return errs.map((e) => (e.field ? `${e.field}: ${fieldErrorBody(e)}` : fieldErrorBody(e)));
}

/** Asserts that `promise` rejects with a 422 Invalid whose message is exactly `message`. */
export async function rejectsInvalid(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.reason, 'Invalid');
    assert.equal(err.code, 422);
    assert.equal(err.message, message);
    return true;
  });
}

/** Deep clone helper for fixtures. */
export function clone<T extends KubeObject>(obj: T): T {
  return structuredClone(obj);
}
