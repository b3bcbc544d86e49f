/**
 * JSON patch (RFC 6902) as upstream's patch handler applies it: a body that is not a list
 * of operation objects is a 400 in Go's unmarshal words; more than 10000 operations is a
 * 413; any operation that fails (a `test` that does not match, a missing path, an unknown
 * op) is a 422 Invalid with upstream's generic message and empty details.
 *
 * The work is bounded as kube-apiserver bounds it (json-patch's AccumulatedCopySizeLimit,
 * set from the 3 MiB request body limit): the bytes all `copy` operations duplicate add up,
 * and the operation that would take the sum past the limit fails before anything is copied,
 * so a short patch that copies a subtree into itself again and again is refused after a few
 * steps instead of doubling the document into gigabytes. Operations are checked one at a
 * time against the document (a `move` or `copy` source is looked up, never validated by
 * cloning the whole document as the library's own validation does).
 */
import fastJsonPatch from 'fast-json-patch';
import { ApiError, badRequest } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import { MAX_REQUEST_BODY_BYTES } from '../request/body-size.js';
import { checkValueDepth } from '../request/body-depth.js';
import { jsonSizeWithin } from './json-size.js';

/** Upstream's cap on operations in one JSON patch. */
const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Upstream's cap on the bytes `copy` operations of one patch may duplicate (JSONPatchMaxCopyBytes). */
export const MAX_JSON_PATCH_COPY_BYTES = MAX_REQUEST_BODY_BYTES;

function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // number, string, object
}

/** Upstream keeps json-patch's reason to itself: a generic 422 with empty details. */
function patchFailed(): ApiError {
  return new ApiError('Invalid', 'the server rejected our request due to an error in our request', {});
}

/**
 * The library's per-operation checks, except that a `move` or `copy` is checked without the
 * document (the library would clone the whole document to look its source up).
 */
const validateOperation: fastJsonPatch.Validator<unknown> = (op, index, document, existingPath) => {
  if (op.op === 'move' || op.op === 'copy') fastJsonPatch.validator(op, index);
  else fastJsonPatch.validator(op, index, document, existingPath);
};

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
  let document: unknown = structuredClone(current);
  let copied = 0;
  try {
    (patch as fastJsonPatch.Operation[]).forEach((op, index) => {
      if (op === null) throw patchFailed();
      if (op.op === 'move' || op.op === 'copy') {
        fastJsonPatch.validator(op, index);
        const source: unknown = fastJsonPatch.getValueByPointer(document, op.from);
        if (source === undefined) throw patchFailed();
        if (op.op === 'copy') {
          copied += jsonSizeWithin(source, MAX_JSON_PATCH_COPY_BYTES - copied);
          if (copied > MAX_JSON_PATCH_COPY_BYTES) throw patchFailed();
        }
      }
      document = fastJsonPatch.applyOperation(document, op, validateOperation, true, true, index).newDocument;
    });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw patchFailed();
  }
  // Copies nest: a subtree copied into itself a thousand times is as deep as a hostile body.
  checkValueDepth(document);
  return document;
}
