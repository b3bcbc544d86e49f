/**
 * Patch metadata for strategic merge patch, read from the generated proto schema: for a JSON
 * key of an object, the field's patch strategies and merge key plus the schema of its value
 * (for lists: of each element). Like upstream's server side, only the Go struct tags
 * (`patchStrategy`, `patchMergeKey`) count: a `+listType=map` field without a patch strategy is
 * replaced as a whole, not merged. Inline (embedded) message fields are searched through.
 * Keys the schema does not know get empty metadata (maps merge, lists replace).
 */
import { getMessagePlan, hasMessage, type FieldPlan, type MessagePlan } from '../../machinery/schema/index.js';

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

/**
 * The patch schema of message `typeName` (full proto name), read from the same compiled
 * message plan the JSON codec uses; unknown types give an empty schema.
 */
export function patchSchemaFor(typeName: string): PatchSchema {
  const cached = cache.get(typeName);
  if (cached) return cached;
  const schema = hasMessage(typeName) ? messagePatchSchema(getMessagePlan(typeName)) : UNKNOWN;
  cache.set(typeName, schema);
  return schema;
}

function valueSchema(field: FieldPlan): PatchSchema {
  if (!field.isMessage || field.message().special) return UNKNOWN;
  if (field.isMap) return { lookup: () => ({ meta: NO_META, schema: patchSchemaFor(field.schema.type) }) };
  return patchSchemaFor(field.schema.type);
}

function messagePatchSchema(message: MessagePlan): PatchSchema {
  return {
    lookup(key) {
      // The plan's JSON-key index already sees through inline (embedded) fields.
      const field = message.byJson.get(key)?.at(-1);
      if (!field) return { meta: NO_META, schema: UNKNOWN };
      const { patchStrategy, patchMergeKey } = field.schema;
      return { meta: { strategies: patchStrategy ? patchStrategy.split(',') : [], mergeKey: patchMergeKey ?? '' }, schema: valueSchema(field) };
    },
  };
}
