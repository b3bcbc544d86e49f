/**
 * Preparing a create: everything between the request's object and the object written,
 * with no storage involved. The input is never modified.
 */
import { type KubeObject, cloneObject } from '../../machinery/meta/object.js';
import type { ServedResource } from '../rest/served.js';
import type { StrategyContext } from '../rest/strategy.js';
import { acceptValidated, checkNamespaceMatches } from './checks.js';
import { fillSystemFieldsOnCreate, generateName, validateObjectMeta } from './metadata.js';
import { stripType } from './type-meta.js';

/** A create ready for its storage write. */
export interface PreparedCreate {
  /** The object to store, without apiVersion and kind. */
  obj: KubeObject;
  /** Its name, generated from `generateName` when the request gave none. */
  name: string;
}

/**
 * The object a create stores: the request's namespace (a body naming another is a 400;
 * a cluster-scoped object has none), a name generated from `generateName` when unset,
 * fresh system fields, the strategy's `prepareForCreate`, ObjectMeta and strategy
 * validation (422), then the strategy's canonical form.
 */
export function beforeCreate(def: ServedResource, namespace: string | undefined, input: KubeObject, ctx: StrategyContext = {}): PreparedCreate {
  const obj = cloneObject(stripType(input));
  const meta = (obj.metadata ??= {});
  if (def.namespaced) {
    checkNamespaceMatches(meta.namespace, namespace);
    if (namespace) meta.namespace = namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  fillSystemFieldsOnCreate(def, meta);
  def.strategy.prepareForCreate?.(obj, ctx);
  acceptValidated(def, obj, [...validateObjectMeta(def, obj), ...(def.strategy.validate?.(obj, ctx.request) ?? [])]);
  return { obj, name: meta.name as string };
}
