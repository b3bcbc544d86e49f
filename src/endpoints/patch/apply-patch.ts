/** Dispatch of PATCH bodies by patch type. */
import { badRequest, unsupportedMediaType } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { ServedResource } from '../../registry/rest/served.js';
import type { PatchType } from '../api-call.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

/** Media types PATCH accepts, for the 415 message. */
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/**
 * Applies `patch` of `type` to the current object of kind `def` (its message drives
 * strategic merge); returns the patched JSON. A kind without messages (a custom resource)
 * has no patch strategies, so it refuses strategic merge as upstream does (415).
 */
export function applyPatch(def: Pick<ServedResource, 'typeName'> & { schema?: ServedResource['schema'] }, current: KubeObject, type: PatchType, patch: unknown): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch);
    case 'merge':
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
        throw badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
      }
      return applyMergePatch(current, patch);
    case 'strategic':
      if (def.schema && !def.schema.proto) {
        throw unsupportedMediaType('application/strategic-merge-patch+json', ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
      }
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
        throw badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
      }
      return applyStrategicMergePatch(def.typeName, current, patch as Record<string, unknown>);
    case 'apply':
      throw unsupportedMediaType('application/apply-patch+yaml', PATCH_MEDIA_TYPES);
  }
}
