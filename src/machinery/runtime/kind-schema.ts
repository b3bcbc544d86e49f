/**
 * A kind's schema as the server uses it: how a request body becomes canonical Kubernetes
 * JSON (which fields it knows, which it drops), whether it has protobuf messages, and
 * what its OpenAPI component is. Built-in kinds are backed by their proto messages; a kind
 * described only by an OpenAPI v3 schema (a custom resource) is backed by that schema and
 * can be registered at run time through the same interface.
 */
import type { JsonObject, JsonValue } from '../schema/json.js';
import { normalizeKubeJson } from '../schema/normalize.js';
import { SchemaDecodeError } from '../schema/errors.js';
import { type FieldError, invalidValue } from '../validation/field-error.js';

/** The identity of a kind. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** A canonical object and the JSON paths the schema did not know (dropped from it). */
export interface NormalizedObject {
  object: JsonObject;
  unknownFields: string[];
}

/** A structural OpenAPI v3 schema (the subset custom resources use). */
export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, StructuralSchema>;
  items?: StructuralSchema;
  additionalProperties?: StructuralSchema | boolean;
  required?: string[];
  enum?: unknown[];
  format?: string;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  /** Server-side apply semantics of an array: `atomic` (the default), `set` of scalars, or `map` keyed by `x-kubernetes-list-map-keys`. */
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  /** The item properties that identify an element of a `map` list. */
  'x-kubernetes-list-map-keys'?: string[];
  /** Server-side apply semantics of an object: `granular` (the default) or `atomic` (owned and replaced as a whole). */
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

/** One kind's schema. */
export interface KindSchema {
  readonly gvk: GroupVersionKind;
  /** The protobuf messages of the kind and its list, for kinds that have them. */
  readonly proto?: { readonly typeName: string; readonly listTypeName: string };
  /** The OpenAPI v3 schema of a kind without messages. */
  readonly openapi?: StructuralSchema;
  /**
   * A request body (without apiVersion/kind) as canonical Kubernetes JSON, unknown fields
   * dropped and listed. Throws SchemaDecodeError when the body cannot be read as the kind.
   */
  normalize(body: unknown): NormalizedObject;
  /** Schema-level validation of a canonical object (types, enums, required fields). */
  validate(obj: JsonObject): FieldError[];
}

/** A built-in kind: its proto message decides the fields and their types. */
export function protoKindSchema(gvk: GroupVersionKind, typeName: string, listTypeName: string): KindSchema {
  return {
    gvk,
    proto: { typeName, listTypeName },
    normalize: (body) => normalizeKubeJson(typeName, body),
    // Types are enforced while decoding; the rest is the strategies' job.
    validate: () => [],
  };
}

const OBJECT_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Drops what `schema` does not declare (custom resource pruning), recording the paths. */
function prune(value: unknown, schema: StructuralSchema | undefined, path: string, unknown: string[]): unknown {
  if (!schema || (schema['x-kubernetes-preserve-unknown-fields'] && !schema.properties)) return value;
  if (Array.isArray(value)) return schema.items ? value.map((v, i) => prune(v, schema.items, `${path}[${i}]`, unknown)) : value;
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value as JsonObject)) {
    const at = path ? `${path}.${k}` : k;
    const declared = schema.properties?.[k];
    if (declared) out[k] = prune(v, declared, at, unknown) as JsonValue;
    else if (typeof schema.additionalProperties === 'object') out[k] = prune(v, schema.additionalProperties, at, unknown) as JsonValue;
    else if (schema.additionalProperties === true || schema['x-kubernetes-preserve-unknown-fields']) out[k] = v;
    else unknown.push(at);
  }
  return out;
}

function typeErrors(value: unknown, schema: StructuralSchema | undefined, path: string, errs: FieldError[]): void {
  if (!schema || value === undefined) return;
  if (value === null) {
    if (!schema.nullable && schema.type) errs.push(invalidValue(path, 'null', `${path} in body must be of type ${schema.type}: "null"`));
    return;
  }
  const actual = describe(value);
  if (schema['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string') errs.push(invalidValue(path, actual, `${path} in body must be of type integer-or-string: "${actual}"`));
    return;
  }
  const fits = !schema.type || actual === schema.type || (schema.type === 'number' && actual === 'integer');
  if (!fits) {
    errs.push(invalidValue(path, actual, `${path} in body must be of type ${schema.type}: "${actual}"`));
    return;
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    errs.push({ type: 'NotSupported', field: path, value, detail: `supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (Array.isArray(value)) value.forEach((v, i) => typeErrors(v, schema.items, `${path}[${i}]`, errs));
  else if (actual === 'object') {
    const obj = value as JsonObject;
    for (const r of schema.required ?? []) if (obj[r] === undefined) errs.push({ type: 'Required', field: path ? `${path}.${r}` : r, detail: '' });
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      typeErrors(v, sub, path ? `${path}.${k}` : k, errs);
    }
  }
}

/**
 * A kind described by an OpenAPI v3 schema, as a CustomResourceDefinition version
 * describes it: metadata is read as meta/v1 ObjectMeta, everything else is pruned to
 * the schema; types are checked by `validate` (422 Invalid, as upstream's schema validation).
 */
export function openApiKindSchema(gvk: GroupVersionKind, schema: StructuralSchema): KindSchema {
  const { metadata: _metadata, apiVersion: _apiVersion, kind: _kind, ...bodySchema } = schema.properties ?? {};
  const rest: StructuralSchema = { ...schema, properties: bodySchema };
  return {
    gvk,
    openapi: schema,
    normalize(body) {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new SchemaDecodeError(`json: cannot unmarshal ${describe(body)} into Go value of type map[string]interface {}`, '');
      }
      const { metadata, ...fields } = body as JsonObject;
      const unknownFields: string[] = [];
      const object = prune(fields, rest, '', unknownFields) as JsonObject;
      if (metadata !== undefined) {
        const meta = normalizeKubeJson(OBJECT_META, metadata);
        unknownFields.push(...meta.unknownFields.map((f) => `metadata.${f}`));
        return { object: { metadata: meta.object, ...object }, unknownFields };
      }
      return { object, unknownFields };
    },
    validate(obj) {
      const errs: FieldError[] = [];
      const { metadata: _m, apiVersion: _a, kind: _k, ...fields } = obj;
      typeErrors(fields, rest, '', errs);
      return errs;
    },
  };
}
