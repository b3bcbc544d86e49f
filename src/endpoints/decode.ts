/**
 * Turning a request body into canonical Kubernetes JSON through our schema: kind and
 * apiVersion checks, type errors as 400, unknown fields per `fieldValidation`.
 */
import { ApiError, badRequest } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import { normalizeKubeJson, SchemaDecodeError } from '../machinery/schema/index.js';
import { definitionApiVersion, type ResourceDefinition } from '../registry/rest/definition.js';

/** A decoded body and the warnings to send back. */
export interface Decoded {
  object: KubeObject;
  warnings: string[];
}

/** Decodes a body for `def` (or its kind `asKind` when different, e.g. Scale). */
export function decodeObject(def: ResourceDefinition, body: unknown, fieldValidation: string | undefined): Decoded {
  const apiVersion = definitionApiVersion(def);
  const cannot = (detail: string): ApiError =>
    badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${detail}`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw cannot('json: cannot unmarshal ' + (Array.isArray(body) ? 'array' : typeof body) + ` into Go value of type ${def.kind}`);
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
    result = normalizeKubeJson(def.typeName, rest);
  } catch (err) {
    if (err instanceof SchemaDecodeError) throw cannot(err.message);
    throw err;
  }
  const warnings: string[] = [];
  if (result.unknownFields.length > 0) {
    const list = result.unknownFields.map((f) => `unknown field "${f}"`);
    if (fieldValidation === 'Strict') throw cannot(`strict decoding error: ${list.join(', ')}`);
    if (fieldValidation !== 'Ignore') warnings.push(...list);
  }
  return { object: result.object as KubeObject, warnings };
}

/** The accepted values of `fieldValidation`. */
export function checkFieldValidation(value: string | undefined): void {
  if (value === undefined || value === '' || value === 'Strict' || value === 'Warn' || value === 'Ignore') return;
  throw badRequest(`fieldValidation parameter unsupported: ${JSON.stringify(value)}; must be one of Ignore, Warn or Strict`);
}
