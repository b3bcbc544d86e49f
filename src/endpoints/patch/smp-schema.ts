/**
 * Patch metadata for strategic merge patch, read from the generated proto schema: for a JSON
 * key of an object, the field's patch strategies and merge key plus the schema of its value
 * (for lists: of each element). Like upstream's server side, only the Go struct tags
 * (`patchStrategy`, `patchMergeKey`) count: a `+listType=map` field without a patch strategy is
 * replaced as a whole, not merged. Inline (embedded) message fields are searched through.
 * Keys the schema does not know get empty metadata (maps merge, lists replace).
 */
import { messageSchemas } from '../../../gen/schema/schema.js';
import type { FieldSchema, MessageSchema } from '../../../gen/schema/types.js';

/** Patch strategies and merge key of one field. */
export interface PatchMeta {
  /** `merge`, `replace`, `retainKeys`, or two of them (`merge,retainKeys`). */
  readonly strategies: readonly string[];
  /** The merge key of a list of objects, `""` when none. */
  readonly mergeKey: string;
}

/** Schema of a JSON object (a message, a proto map, or unknown) that can look up its keys. */
export interface PatchSchema {
  /** Metadata of `key` and the schema of its value (list fields: of each element). */
  lookup(key: string): { meta: PatchMeta; schema: PatchSchema };
}

const NO_META: PatchMeta = { strategies: [], mergeKey: '' };

const UNKNOWN: PatchSchema = {
  lookup: () => ({ meta: NO_META, schema: UNKNOWN }),
};

const cache = new Map<string, PatchSchema>();

/** The patch schema of message `typeName` (full proto name); unknown types give an empty schema. */
export function patchSchemaFor(typeName: string): PatchSchema {
  const cached = cache.get(typeName);
  if (cached) return cached;
  const message = messageSchemas[typeName];
  const schema = message ? messagePatchSchema(message) : UNKNOWN;
  cache.set(typeName, schema);
  return schema;
}

function findField(message: MessageSchema, key: string, seen: Set<string>): FieldSchema | undefined {
  for (const field of message.fields) {
    if (!field.inline && field.json === key) return field;
  }
  for (const field of message.fields) {
    if (!field.inline || seen.has(field.type)) continue;
    const inner = messageSchemas[field.type];
    if (!inner) continue;
    seen.add(field.type);
    const found = findField(inner, key, seen);
    if (found) return found;
  }
  return undefined;
}

function valueSchema(field: FieldSchema): PatchSchema {
  if (field.kind !== 'message') return UNKNOWN;
  if (field.mapKey !== undefined) return mapPatchSchema(field.type);
  return patchSchemaFor(field.type);
}

function mapPatchSchema(valueType: string): PatchSchema {
  return { lookup: () => ({ meta: NO_META, schema: patchSchemaFor(valueType) }) };
}

function messagePatchSchema(message: MessageSchema): PatchSchema {
  return {
    lookup(key) {
      const field = findField(message, key, new Set([message.fullName]));
      if (!field) return { meta: NO_META, schema: UNKNOWN };
      const strategies = field.patchStrategy ? field.patchStrategy.split(',') : [];
      return { meta: { strategies, mergeKey: field.patchMergeKey ?? '' }, schema: valueSchema(field) };
    },
  };
}
