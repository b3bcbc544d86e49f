/**
 * JSON patch (RFC 6902) as upstream's patch handler applies it: a body that is not a list
 * of operation objects is a 400 in Go's unmarshal words; more than 10000 operations is a
 * 413; any operation that fails (a `test` that does not match, a missing path, an unknown
 * op) is a 422 Invalid with upstream's generic message and empty details.
 */
import fastJsonPatch from 'fast-json-patch';
import { ApiError, badRequest } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';

/** Upstream's cap on operations in one JSON patch. */
const MAX_JSON_PATCH_OPERATIONS = 10000;

function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // number, string, object
}

/** The patched copy of `current`; throws upstream's errors. */
export function applyJsonPatch(current: KubeObject, patch: unknown): unknown {
  if (patch === null) patch = [];
  if (!Array.isArray(patch)) throw badRequest(`json: cannot unmarshal ${goJsonType(patch)} into Go value of type jsonpatch.Patch`);
  for (const op of patch) {
    if (op !== null && (typeof op !== 'object' || Array.isArray(op))) {
      throw badRequest(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError('RequestEntityTooLarge', `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  try {
    return fastJsonPatch.applyPatch(structuredClone(current), patch as fastJsonPatch.Operation[], true, true).newDocument;
  } catch {
    // Upstream keeps the library's reason to itself (a generic 422 with empty details).
    throw new ApiError('Invalid', 'the server rejected our request due to an error in our request', {});
  }
}
