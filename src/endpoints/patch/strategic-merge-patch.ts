/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), driven by the patch
 * metadata of the generated proto schema. See smp-merge.ts for the semantics.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import { smpErrorToApiError } from './smp-errors.js';
import { mergeMap } from './smp-merge.js';
import { patchSchemaFor } from './smp-schema.js';
import type { JsonMap } from './smp-values.js';

/**
 * Applies a strategic merge patch to an object of message type `typeName` (full proto name,
 * e.g. `k8s.io.api.apps.v1.Deployment`) and returns the patched JSON. Inputs are not mutated.
 * Failures are ApiErrors shaped as upstream's PATCH handler reports them (400, 422 or 500).
 */
export function applyStrategicMergePatch(typeName: string, current: KubeObject, patch: Record<string, unknown>): unknown {
  const original = JSON.parse(JSON.stringify(current)) as JsonMap;
  const patchCopy = JSON.parse(JSON.stringify(patch)) as JsonMap;
  try {
    return mergeMap(original, patchCopy, patchSchemaFor(typeName));
  } catch (err) {
    throw smpErrorToApiError(err);
  }
}
