/**
 * The store of a computed resource (a definition with `computed`, such as ComponentStatus):
 * get and list answer from the definition's functions, typed as the resource; nothing is
 * stored, and every other verb is refused (the declaration serves none of them).
 */
import { methodNotAllowed } from '../../machinery/errors/index.js';
import type { KubeObject } from '../../machinery/meta/object.js';
import type { ComputedContext, ResourceDefinition } from '../rest/definition.js';
import type { ResourceStore } from '../rest/resource-store.js';
import { storageView } from '../rest/served.js';
import { buildPredicate } from './predicate.js';
import { qualified, stripType, withType } from './type-meta.js';

/** The computed store of `declared`; throws when the definition has no `computed`. */
export function createComputedStore(declared: ResourceDefinition, ctx: ComputedContext): ResourceStore {
  const computed = declared.computed;
  if (!computed) throw new Error(`${declared.resource}.${declared.group} is not computed`);
  const def = storageView(declared);
  const q = qualified(def);
  const refuse = (verb: string): never => {
    throw methodNotAllowed(verb, q);
  };
  return {
    definition: def,
    async get(_namespace, name) {
      if (!computed.get) return refuse('get');
      return withType(def, await computed.get(ctx, name));
    },
    async list(_namespace, query) {
      if (!computed.list) return refuse('list');
      const matches = buildPredicate(def, query.labelSelector, query.fieldSelector) ?? (() => true);
      const items = (await computed.list(ctx)).filter((obj: KubeObject) => matches(obj)).map((obj) => stripType(withType(def, obj)));
      return { apiVersion: def.version, kind: def.listKind, metadata: {}, items };
    },
    watch: () => refuse('watch'),
    async create(namespace, obj, opts) {
      if (!computed.create) return refuse('create');
      // The answer is the computation's own (a Status for bindings), not an object of this kind.
      return computed.create(ctx, namespace, withType(def, obj), opts.dryRun === true, opts.user);
    },
    update: () => refuse('update'),
    replace: () => refuse('replace'),
    delete: () => refuse('delete'),
  };
}
