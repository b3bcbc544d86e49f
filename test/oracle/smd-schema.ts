/**
 * Our field manager's schema (`TypeNode`) written as a structured-merge-diff schema, so
 * the oracle merges with exactly the types our side merges with.
 *
 * A `MapNode` answers for the fields it is asked about rather than listing them, so the
 * schema is emitted for the values it will be used on: every struct field some sample
 * value sets (plus the key fields of associative lists, which carry key defaults) becomes
 * a declared field; everything else of a map goes to its `elementType`. That is all SMD
 * ever looks up for those values. One named type per distinct node (by identity).
 */
import { stringify } from 'yaml';
import type { ListNode, MapNode, TypeNode } from '../../src/machinery/fieldmanager/type-node.js';

/** SMD's own type for untyped (deduced) values — named so its reconciler recognises it. */
export const UNTYPED_DEDUCED = '__untyped_deduced_';
/** SMD's type for untyped values owned whole (RawExtension). */
export const UNTYPED_ATOMIC = '__untyped_atomic_';

// The library's deduced types, stated here for the schema we hand it: scalars are
// leaves, lists are atomic (all the way down), maps are granular.
const DEDUCED_TYPES = [
  {
    name: UNTYPED_ATOMIC,
    scalar: 'untyped',
    list: { elementType: { namedType: UNTYPED_ATOMIC }, elementRelationship: 'atomic' },
    map: { elementType: { namedType: UNTYPED_ATOMIC }, elementRelationship: 'atomic' },
  },
  {
    name: UNTYPED_DEDUCED,
    scalar: 'untyped',
    list: { elementType: { namedType: UNTYPED_ATOMIC }, elementRelationship: 'atomic' },
    map: { elementType: { namedType: UNTYPED_DEDUCED }, elementRelationship: 'separable' },
  },
];

type TypeRef = { namedType: string } | { scalar: 'untyped' };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

class Emitter {
  private readonly names = new Map<TypeNode, string>();
  private readonly order: (MapNode | ListNode)[] = [];
  /** Declared fields seen per struct node, with the key default a list gives some of them. */
  private readonly fields = new Map<MapNode, Map<string, { default?: unknown }>>();

  ref(node: TypeNode, rootName?: string): TypeRef {
    if (node.kind === 'scalar') return { scalar: 'untyped' };
    if (node.kind === 'untyped') return { namedType: 'atomic' in node && node.atomic === true ? UNTYPED_ATOMIC : UNTYPED_DEDUCED };
    let name = this.names.get(node);
    if (name === undefined) {
      name = rootName ?? `t${this.names.size}`;
      this.names.set(node, name);
      this.order.push(node);
      if (node.kind === 'map') this.fields.set(node, new Map());
      else this.declareKeys(node);
    }
    return { namedType: name };
  }

  /** An associative list's key fields are declared on its element type, with their defaults. */
  private declareKeys(list: ListNode): void {
    if (list.relationship !== 'associative' || list.keys.length === 0) return;
    const element = list.elementType;
    if (element.kind !== 'map') throw new Error(`associative list keyed by ${list.keys.join(',')} has a ${element.kind} element type`);
    this.ref(element);
    const seen = this.fields.get(element)!;
    for (const key of list.keys) {
      if (!element.hasField(key)) throw new Error(`associative list key ${key} is not a field of its element type`);
      const def = list.keyDefault?.(key);
      const prior = seen.get(key);
      if (prior?.default !== undefined && def !== undefined && JSON.stringify(prior.default) !== JSON.stringify(def)) {
        throw new Error(`key ${key} has two defaults: ${JSON.stringify(prior.default)} and ${JSON.stringify(def)}`);
      }
      seen.set(key, def !== undefined ? { default: def } : (prior ?? {}));
    }
  }

  /** Declares what `value` uses of `node`. */
  visit(node: TypeNode, value: unknown): void {
    this.ref(node);
    if (node.kind === 'map' && isObject(value)) {
      const seen = this.fields.get(node)!;
      for (const [k, v] of Object.entries(value)) {
        if (node.hasField(k)) {
          if (!seen.has(k)) seen.set(k, {});
          this.visit(node.field(k)!, v);
        } else {
          this.visit(node.elementType, v);
        }
      }
    } else if (node.kind === 'list' && Array.isArray(value)) {
      for (const v of value) this.visit(node.elementType, v);
    }
  }

  types(): unknown[] {
    const out: unknown[] = [];
    // Emitting a node may name further nodes (element types), so walk until stable.
    for (let i = 0; i < this.order.length; i++) {
      if (i > 10_000) throw new Error('schema emission does not terminate');
      const node = this.order[i]!;
      const name = this.names.get(node)!;
      if (node.kind === 'map') {
        const seen = this.fields.get(node)!;
        const fields = [...seen.keys()].sort().map((f) => {
          const def = seen.get(f)!.default;
          return { name: f, type: this.ref(node.field(f)!), ...(def !== undefined ? { default: def } : {}) };
        });
        out.push({
          name,
          map: {
            ...(fields.length > 0 ? { fields } : {}),
            elementType: this.ref(node.elementType),
            elementRelationship: node.relationship,
          },
        });
      } else {
        out.push({
          name,
          list: {
            elementType: this.ref(node.elementType),
            elementRelationship: node.relationship,
            ...(node.keys.length > 0 ? { keys: [...node.keys] } : {}),
          },
        });
      }
    }
    return out;
  }
}

/** The SMD schema YAML for `root` as used by `samples`, and the name of the root type. */
export function smdSchema(root: TypeNode, samples: Iterable<unknown>): { schema: string; typeName: string } {
  const emitter = new Emitter();
  const rootRef = emitter.ref(root, 'root');
  for (const sample of samples) emitter.visit(root, sample);
  const typeName = 'namedType' in rootRef ? rootRef.namedType : 'root';
  const types = emitter.types();
  if (!('namedType' in rootRef)) types.push({ name: 'root', scalar: 'untyped' });
  return { schema: stringify({ types: [...types, ...DEDUCED_TYPES] }), typeName };
}
