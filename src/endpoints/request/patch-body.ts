/** PATCH bodies: the patch type from the media type, the document parsed (JSON, or YAML for apply). */
import { badRequest, unsupportedMediaType } from '../../machinery/errors/index.js';
import type { PatchType, RequestBody } from '../api-call.js';
import { PATCH_MEDIA_TYPES } from '../patch/apply-patch.js';
import { BodySyntaxError, parseJsonBody, parseYamlBody } from './json-body.js';
import { parseMediaType } from './media-type.js';

/** upstream's types.PatchType values: the media type of each patch flavour. */
export const PATCH_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** Decodes a patch body and its patch type. */
export function decodePatchBody(body: RequestBody | undefined): { patchType: PatchType; body: unknown } {
  const encoded = body?.type === 'encoded' ? body : undefined;
  const type = parseMediaType(encoded?.contentType ?? '').type;
  const patchType = PATCH_TYPES[type];
  if (!patchType) throw unsupportedMediaType(type, [...PATCH_MEDIA_TYPES, 'application/apply-patch+yaml']);
  const data = encoded?.data ?? new Uint8Array(0);
  if (data.length === 0) throw badRequest('the body of the request is empty');
  try {
    return { patchType, body: patchType === 'apply' ? parseYamlBody(data) : parseJsonBody(data) };
  } catch (err) {
    // upstream unmarshals the patch document with encoding/json and answers with its error.
    if (err instanceof BodySyntaxError) throw badRequest(err.message);
    throw err;
  }
}
