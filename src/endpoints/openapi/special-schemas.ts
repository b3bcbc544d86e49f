/**
 * OpenAPI schemas of scalars, and of messages whose JSON form is not an object of their
 * fields (times, durations, int-or-string, quantities, embedded objects): those come
 * from the schema's one special-type table (machinery/schema/special-types.ts).
 */
import type { MessagePlan } from '../../machinery/schema/index.js';
import type { Schema } from './names.js';

/** The fixed component schema of a special message, if it is one (a fresh copy), with the message's description. */
export function specialComponentSchema(plan: MessagePlan): Schema | undefined {
  const o = plan.special?.openapi;
  if (!o || !('component' in o)) return undefined;
  const schema = structuredClone(o.component) as Schema;
  if (plan.schema.description) schema.description = plan.schema.description;
  return schema;
}

/** The schema to write in place of a reference to this message, if it is inlined. */
export function inlineSpecialSchema(plan: MessagePlan): Schema | undefined {
  const o = plan.special?.openapi;
  return o && 'inline' in o ? structuredClone(o.inline) as Schema : undefined;
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
