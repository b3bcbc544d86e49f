/**
 * An apply configuration reduced to what the schema declares: keys a closed struct does
 * not know are dropped (the request's fieldValidation already reported them), everything
 * else — including explicit nulls — is kept exactly as sent, since the configuration's
 * own shape decides which fields the applier owns.
 */
import { asList, asMap, atomFor, fieldType } from './atoms.js';
import type { TypeNode } from './type-node.js';
import { setOwn } from '../../util/own-property.js';

const TYPE_META = new Set(['apiVersion', 'kind']);

export function pruneToSchema(value: unknown, type: TypeNode, top = true): unknown {
  const atom = atomFor(type, value);
  if (atom.kind === 'list') {
    const list = asList(value);
    return list ? list.map((item) => pruneToSchema(item, atom.elementType, false)) : value;
  }
  if (atom.kind !== 'map') return value;
  const map = asMap(value);
  if (!map) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    if (top && TYPE_META.has(k)) {
      out[k] = v;
      continue;
    }
    if (atom.closed && !atom.hasField(k)) continue;
    setOwn(out, k, pruneToSchema(v, fieldType(atom, k), false));
  }
  return out;
}
