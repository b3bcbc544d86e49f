/**
 * The protobuf form of the `/openapi/v2` document: gnostic's `openapi.v2.Document`
 * (proto/gnostic/openapiv2), which client-go requests (`OpenAPISchema()`) and kubectl
 * reads for client-side validation, the `fieldValidation` capability check and the v2
 * `explain`. Built from the JSON document the same way gnostic's parser does: keys
 * become message fields, and every `x-` extension a NamedAny whose value is YAML text.
 */
import { stringify as toYaml } from 'yaml';
import {
  Document,
  type NamedAny,
  type Operation,
  type ParametersItem,
  type PathItem,
  type Schema as PbSchema,
} from '../../../gen/gnostic/openapiv2/OpenAPIv2.js';
import type { Schema } from './names.js';

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A value as gnostic's Any: its YAML text (what kubectl and kube-openapi unmarshal). */
function anyOf(value: unknown): { yaml: string } {
  return { yaml: toYaml(value, { lineWidth: 0 }) };
}

function extensions(o: Schema): NamedAny[] {
  return Object.keys(o)
    .filter((k) => k.startsWith('x-'))
    .map((name) => ({ name, value: anyOf(o[name]) }));
}

function schemaToPb(s: Schema): Partial<PbSchema> {
  const out: Partial<PbSchema> = { vendorExtension: extensions(s) };
  if (typeof s.$ref === 'string') out.Ref = s.$ref;
  if (typeof s.format === 'string') out.format = s.format;
  if (typeof s.title === 'string') out.title = s.title;
  if (typeof s.description === 'string') out.description = s.description;
  if (s.default !== undefined) out.default = anyOf(s.default);
  if (typeof s.maximum === 'number') out.maximum = s.maximum;
  if (typeof s.minimum === 'number') out.minimum = s.minimum;
  if (typeof s.maxLength === 'number') out.maxLength = s.maxLength;
  if (typeof s.minLength === 'number') out.minLength = s.minLength;
  if (typeof s.pattern === 'string') out.pattern = s.pattern;
  if (typeof s.maxItems === 'number') out.maxItems = s.maxItems;
  if (typeof s.minItems === 'number') out.minItems = s.minItems;
  if (s.uniqueItems === true) out.uniqueItems = true;
  if (Array.isArray(s.required)) out.required = s.required.map(String);
  if (Array.isArray(s.enum)) out.enum = s.enum.map(anyOf);
  if (s.additionalProperties === true || s.additionalProperties === false) out.additionalProperties = { boolean: s.additionalProperties };
  else if (isObject(s.additionalProperties)) out.additionalProperties = { schema: schemaToPb(s.additionalProperties) as PbSchema };
  if (typeof s.type === 'string') out.type = { value: [s.type] };
  else if (Array.isArray(s.type)) out.type = { value: s.type.map(String) };
  if (isObject(s.items)) out.items = { schema: [schemaToPb(s.items) as PbSchema] };
  else if (Array.isArray(s.items)) out.items = { schema: s.items.map((i) => schemaToPb(i as Schema) as PbSchema) };
  if (Array.isArray(s.allOf)) out.allOf = s.allOf.map((i) => schemaToPb(i as Schema) as PbSchema);
  if (isObject(s.properties)) {
    out.properties = {
      additionalProperties: Object.entries(s.properties).map(([name, v]) => ({ name, value: schemaToPb(v as Schema) as PbSchema })),
    };
  }
  if (s.readOnly === true) out.readOnly = true;
  return out;
}

function parameterToPb(p: Schema): ParametersItem {
  if (typeof p.$ref === 'string') return { jsonReference: { Ref: p.$ref, description: '' } };
  if (p.in === 'body') {
    return {
      parameter: {
        bodyParameter: {
          description: str(p.description),
          name: str(p.name),
          in: 'body',
          required: p.required === true,
          schema: isObject(p.schema) ? (schemaToPb(p.schema) as PbSchema) : undefined,
          vendorExtension: extensions(p),
        },
      },
    };
  }
  const common = {
    required: p.required === true,
    in: str(p.in),
    description: str(p.description),
    name: str(p.name),
    type: str(p.type),
    format: str(p.format),
    uniqueItems: p.uniqueItems === true,
    vendorExtension: extensions(p),
  };
  const sub = p.in === 'path' ? { pathParameterSubSchema: common } : p.in === 'header' ? { headerParameterSubSchema: common } : { queryParameterSubSchema: common };
  return { parameter: { nonBodyParameter: sub as never } };
}

function operationToPb(op: Schema): Partial<Operation> {
  const responses = isObject(op.responses) ? op.responses : {};
  return {
    tags: Array.isArray(op.tags) ? op.tags.map(String) : [],
    description: str(op.description),
    operationId: str(op.operationId),
    produces: Array.isArray(op.produces) ? op.produces.map(String) : [],
    consumes: Array.isArray(op.consumes) ? op.consumes.map(String) : [],
    parameters: Array.isArray(op.parameters) ? op.parameters.map((p) => parameterToPb(p as Schema)) : [],
    responses: {
      responseCode: Object.entries(responses).map(([name, r]) => {
        const resp = isObject(r) ? r : {};
        return {
          name,
          value: {
            response: {
              description: str(resp.description),
              schema: isObject(resp.schema) ? { schema: schemaToPb(resp.schema) as PbSchema } : undefined,
              vendorExtension: [],
            },
          },
        };
      }),
      vendorExtension: [],
    },
    schemes: Array.isArray(op.schemes) ? op.schemes.map(String) : [],
    deprecated: op.deprecated === true,
    vendorExtension: extensions(op),
  };
}

function pathItemToPb(item: Schema): Partial<PathItem> {
  const out: Partial<PathItem> = { vendorExtension: extensions(item) };
  for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const) {
    const op = item[method];
    if (isObject(op)) out[method] = operationToPb(op) as Operation;
  }
  if (Array.isArray(item.parameters)) out.parameters = item.parameters.map((p) => parameterToPb(p as Schema));
  return out;
}

/** Encodes a Swagger 2.0 JSON document as gnostic's openapi.v2.Document. */
export function encodeSwaggerProtobuf(doc: Record<string, unknown>): Uint8Array {
  const info = isObject(doc.info) ? doc.info : {};
  const definitions = isObject(doc.definitions) ? doc.definitions : {};
  const paths = isObject(doc.paths) ? doc.paths : {};
  const securityDefinitions = isObject(doc.securityDefinitions) ? doc.securityDefinitions : {};
  const security = Array.isArray(doc.security) ? (doc.security as Schema[]) : [];
  const message = Document.fromPartial({
    swagger: str(doc.swagger),
    info: { title: str(info.title), version: str(info.version), description: str(info.description), vendorExtension: extensions(info) },
    paths: {
      path: Object.entries(paths).map(([name, item]) => ({ name, value: pathItemToPb(item as Schema) as PathItem })),
      vendorExtension: [],
    },
    definitions: {
      additionalProperties: Object.entries(definitions).map(([name, s]) => ({ name, value: schemaToPb(s as Schema) as PbSchema })),
    },
    security: security.map((req) => ({
      additionalProperties: Object.entries(req).map(([name, scopes]) => ({ name, value: { value: Array.isArray(scopes) ? scopes.map(String) : [] } })),
    })),
    securityDefinitions: {
      additionalProperties: Object.entries(securityDefinitions).map(([name, d]) => {
        const def = isObject(d) ? d : {};
        return {
          name,
          value: {
            apiKeySecurity: { type: str(def.type), name: str(def.name), in: str(def.in), description: str(def.description), vendorExtension: [] },
          },
        };
      }),
    },
    vendorExtension: extensions(doc),
  });
  return Document.encode(message).finish();
}
