/**
 * OpenAPI schemas of messages whose JSON form is not an object of their fields
 * (times, durations, int-or-string, quantities, embedded objects), as upstream publishes them.
 */
import type { Schema } from './names.js';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Messages published as a component with a fixed schema instead of their fields. */
const componentSpecials: ReadonlyMap<string, Schema> = new Map<string, Schema>([
  [`${META}.Time`, { type: 'string', format: 'date-time' }],
  [`${META}.MicroTime`, { type: 'string', format: 'date-time' }],
  [`${META}.Duration`, { type: 'string' }],
  [`${META}.FieldsV1`, { type: 'object' }],
  ['k8s.io.apimachinery.pkg.runtime.RawExtension', { type: 'object' }],
  [
    'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
    { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
  ],
  [
    'k8s.io.apimachinery.pkg.api.resource.Quantity',
    { oneOf: [{ type: 'string' }, { type: 'number' }], 'x-kubernetes-int-or-string': true },
  ],
]);

/** Messages that upstream writes inline at each use instead of as a component. */
const inlineSpecials: ReadonlyMap<string, Schema> = new Map<string, Schema>([
  [`${META}.Verbs`, { type: 'array', items: { type: 'string' } }],
]);

/** The fixed component schema of a special message, if it is one (a fresh copy). */
export function specialComponentSchema(fullName: string): Schema | undefined {
  const s = componentSpecials.get(fullName);
  return s ? structuredClone(s) : undefined;
}

/** The schema to write in place of a reference to this message, if it is inlined. */
export function inlineSpecialSchema(fullName: string): Schema | undefined {
  const s = inlineSpecials.get(fullName);
  return s ? structuredClone(s) : undefined;
}

/** Schema of a protobuf scalar in the Kubernetes JSON form. */
export function scalarSchema(type: string): Schema {
  switch (type) {
    case 'string':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'bytes':
      return { type: 'string', format: 'byte' };
    case 'int32':
    case 'sint32':
    case 'sfixed32':
    case 'uint32':
    case 'fixed32':
      return { type: 'integer', format: 'int32' };
    case 'int64':
    case 'sint64':
    case 'sfixed64':
    case 'uint64':
    case 'fixed64':
      return { type: 'integer', format: 'int64' };
    case 'double':
      return { type: 'number', format: 'double' };
    case 'float':
      return { type: 'number', format: 'float' };
    default:
      return { type: 'string' };
  }
}
