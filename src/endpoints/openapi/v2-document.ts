/**
 * The OpenAPI v2 (Swagger 2.0) document of `/openapi/v2`: one document for the whole
 * server, converted from the per-group-version v3 documents, so that both versions come
 * from the same component builder (schemas, descriptions, x-kubernetes-* extensions).
 *
 * The conversion is the mechanical one between the two formats, in the shape upstream's
 * v2 document has: `#/components/schemas/X` → `#/definitions/X`, a property's
 * `allOf: [{$ref}]` → `$ref` beside its other keys, request bodies → `in: body`
 * parameters, parameter `schema` → the parameter's own `type`, response `content` →
 * `schema` plus the operation's `produces`, request body media types → `consumes`.
 */
import { COMPONENT_REF_PREFIX, type GroupVersionKind, type Schema } from './names.js';

/** Prefix of definition references in an OpenAPI v2 document. */
export const DEFINITION_REF_PREFIX = '#/definitions/';

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** Keys of an OpenAPI 3 schema object that Swagger 2.0 has no place for. */
const V3_ONLY_SCHEMA_KEYS = new Set(['nullable', 'oneOf', 'anyOf', 'not', 'writeOnly', 'deprecated']);

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Converts one v3 schema object (and everything below it) to its v2 form. */
export function toV2Schema(schema: Schema): Schema {
  const out: Schema = {};
  let allOf: unknown[] | undefined;
  for (const [key, value] of Object.entries(schema)) {
    if (V3_ONLY_SCHEMA_KEYS.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.startsWith(COMPONENT_REF_PREFIX) ? DEFINITION_REF_PREFIX + value.slice(COMPONENT_REF_PREFIX.length) : value;
    } else if (key === 'allOf' && Array.isArray(value)) {
      allOf = value;
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) {
      out[key] = toV2Schema(value);
    } else if (key === 'properties' && isObject(value)) {
      const props: Schema = {};
      // Upstream's v2 document is Go-marshalled: properties in key order.
      for (const name of Object.keys(value).sort()) props[name] = toV2Schema(value[name] as Schema);
      out.properties = props;
    } else {
      out[key] = structuredClone(value);
    }
  }
  if (allOf) {
    // A lone reference wrapped in allOf (how v3 puts siblings beside a $ref) is a plain $ref in v2.
    if (allOf.length === 1 && isObject(allOf[0]) && typeof allOf[0].$ref === 'string' && out.$ref === undefined) {
      Object.assign(out, toV2Schema(allOf[0]));
    } else {
      out.allOf = allOf.map((s) => toV2Schema(s as Schema));
    }
  }
  return sortKeys(out);
}

function sortKeys(o: Schema): Schema {
  const sorted: Schema = {};
  for (const k of Object.keys(o).sort()) sorted[k] = o[k];
  return sorted;
}

/** A v3 parameter object (`schema: {type, ...}`) as a v2 non-body parameter. */
function toV2Parameter(p: Schema): Schema {
  const { schema, ...rest } = p;
  return sortKeys({ ...rest, ...(isObject(schema) ? schema : {}) });
}

function mediaTypes(content: unknown): string[] {
  return isObject(content) ? Object.keys(content) : [];
}

function contentSchema(content: unknown): Schema | undefined {
  if (!isObject(content)) return undefined;
  for (const media of Object.values(content)) {
    if (isObject(media) && isObject(media.schema)) return toV2Schema(media.schema);
  }
  return undefined;
}

/** Converts one v3 operation object. */
function toV2Operation(op: Schema): Schema {
  const out: Schema = {};
  const parameters: Schema[] = [];
  const body = op.requestBody;
  if (isObject(body)) {
    const consumes = mediaTypes(body.content);
    if (consumes.length > 0) out.consumes = consumes;
    const schema = contentSchema(body.content);
    parameters.push(sortKeys({ in: 'body', name: 'body', ...(body.required === true ? { required: true } : {}), ...(schema ? { schema } : {}) }));
  }
  for (const p of (op.parameters as Schema[] | undefined) ?? []) parameters.push(toV2Parameter(p));
  if (parameters.length > 0) out.parameters = parameters;
  const produces: string[] = [];
  const responses: Schema = {};
  for (const [code, r] of Object.entries((op.responses as Schema | undefined) ?? {})) {
    if (!isObject(r)) continue;
    for (const t of mediaTypes(r.content)) if (!produces.includes(t)) produces.push(t);
    const schema = contentSchema(r.content);
    responses[code] = sortKeys({ description: r.description ?? '', ...(schema ? { schema } : {}) });
  }
  if (produces.length > 0) out.produces = produces;
  out.responses = responses;
  out.schemes = ['https'];
  for (const [key, value] of Object.entries(op)) {
    if (key === 'requestBody' || key === 'parameters' || key === 'responses') continue;
    out[key] = structuredClone(value);
  }
  return sortKeys(out);
}

/** Converts one v3 path item. */
function toV2PathItem(item: Schema): Schema {
  const out: Schema = {};
  for (const method of OPERATION_METHODS) {
    const op = item[method];
    if (isObject(op)) out[method] = toV2Operation(op);
  }
  if (Array.isArray(item.parameters)) out.parameters = (item.parameters as Schema[]).map(toV2Parameter);
  return sortKeys(out);
}

function sameGvk(a: GroupVersionKind, b: GroupVersionKind): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

/** Adds one definition, joining the GVK lists of a definition several group versions share (DeleteOptions, Status). */
function mergeDefinition(into: Record<string, Schema>, name: string, schema: Schema): void {
  const existing = into[name];
  if (!existing) {
    into[name] = schema;
    return;
  }
  const add = (schema['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined) ?? [];
  if (add.length === 0) return;
  const list = [...((existing['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined) ?? [])];
  for (const g of add) if (!list.some((x) => sameGvk(x, g))) list.push(g);
  existing['x-kubernetes-group-version-kind'] = list;
}

/** Joins v3 group-version documents into the one v2 document. */
export function buildSwaggerDocument(v3Documents: readonly Record<string, unknown>[], version = 'unversioned'): Record<string, unknown> {
  const paths: Record<string, Schema> = {};
  const definitions: Record<string, Schema> = {};
  for (const doc of v3Documents) {
    for (const [path, item] of Object.entries((doc.paths as Record<string, Schema> | undefined) ?? {})) paths[path] = toV2PathItem(item);
    const schemas = ((doc.components as Schema | undefined)?.schemas as Record<string, Schema> | undefined) ?? {};
    for (const [name, schema] of Object.entries(schemas)) mergeDefinition(definitions, name, toV2Schema(schema));
  }
  const sortedPaths: Record<string, Schema> = {};
  for (const k of Object.keys(paths).sort()) sortedPaths[k] = paths[k]!;
  const sortedDefinitions: Record<string, Schema> = {};
  for (const k of Object.keys(definitions).sort()) sortedDefinitions[k] = definitions[k]!;
  return {
    definitions: sortedDefinitions,
    info: { title: 'Kubernetes', version },
    paths: sortedPaths,
    security: [{ BearerToken: [] }],
    securityDefinitions: {
      BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' },
    },
    swagger: '2.0',
  };
}
