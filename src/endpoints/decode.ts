/**
 * Turning a request body into canonical Kubernetes JSON through our schema: kind and
 * apiVersion checks, type errors as 400, unknown and duplicate fields per `fieldValidation`, then the
 * version's defaults.
 */
import { ApiError, badRequest } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import { normalizeKubeJson, SchemaDecodeError } from '../machinery/schema/index.js';
import type { KindSchema } from '../machinery/runtime/kind-schema.js';
import { definitionApiVersion, type KindRef } from '../registry/rest/definition.js';
import { strictDecodingErrors } from './request/duplicate-fields.js';

/** A decoded body and the warnings to send back. */
export interface Decoded {
  object: KubeObject;
  warnings: string[];
}

/** Decodes a body as the kind `def` names: a resource's own kind, or a subresource's (e.g. Scale). */
export function decodeObject(def: KindRef & { schema?: KindSchema; defaults?: (obj: KubeObject) => void }, body: unknown, fieldValidation: string | undefined): Decoded {
  const apiVersion = definitionApiVersion(def);
  const cannot = (detail: string): ApiError =>
    badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${detail}`);
  if (body === undefined) {
    // No body at all: upstream's decoder fails before it can learn a kind.
    throw badRequest(`the object provided is unrecognized (must be of type ${def.kind}): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const what = body === null ? 'null' : Array.isArray(body) ? 'array' : typeof body;
    throw cannot(`json: cannot unmarshal ${what} into Go value of type ${def.kind}`);
  }
  const { apiVersion: bodyVersion, kind: bodyKind, ...rest } = body as Record<string, unknown>;
  if (bodyKind !== undefined && bodyKind !== def.kind) {
    throw badRequest(`${String(bodyKind)} in version "${def.version}" cannot be handled as a ${def.kind}: the kind in the body does not match the resource`);
  }
  if (bodyVersion !== undefined && bodyVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${String(bodyVersion)}) does not match the expected API version (${apiVersion})`);
  }
  let result: { object: Record<string, unknown>; unknownFields: string[] };
  try {
    result = def.schema ? def.schema.normalize(rest) : normalizeKubeJson(def.typeName, rest);
  } catch (err) {
    if (err instanceof SchemaDecodeError) throw cannot(err.message);
    throw err;
  }
  const warnings: string[] = [];
  const list = strictDecodingErrors(body, result.unknownFields);
  if (list.length > 0) {
    if (fieldValidation === 'Strict') throw cannot(`strict decoding error: ${list.join(', ')}`);
    if (fieldValidation !== 'Ignore') warnings.push(...list);
  }
  const object = result.object as KubeObject;
  // Decoding defaults, as upstream's decoder does: per version, before conversion.
  def.defaults?.(object);
  return { object, warnings };
}

/** The accepted values of `fieldValidation`. */
export function checkFieldValidation(value: string | undefined): void {
  if (value === undefined || value === '' || value === 'Strict' || value === 'Warn' || value === 'Ignore') return;
  throw badRequest(`fieldValidation parameter unsupported: ${JSON.stringify(value)}; must be one of Ignore, Warn or Strict`);
}
