/** Reads from an informer's cache, as client-go's listers: by namespace and name, or by label selector. */
import type { LabelSelector } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { NAMESPACE_INDEX, type Indexer, type Meta } from './indexer.js';
import { parseLabelSelector, type LabelPredicate } from './label-selector.js';
import { matchesLabelSelector } from './values.js';

/** A selector as text (`app=web,tier!=db`), a LabelSelector message, or a predicate. */
export type SelectorLike = string | LabelSelector | LabelPredicate | undefined;

function predicateOf(selector: SelectorLike): LabelPredicate {
  if (selector === undefined || selector === '') return () => true;
  if (typeof selector === 'function') return selector;
  if (typeof selector === 'string') return parseLabelSelector(selector);
  return (labels) => matchesLabelSelector(selector, labels);
}

export interface Lister<T> {
  /** Every cached object (in a namespace, when given) whose labels match. */
  list(selector?: SelectorLike, namespace?: string): T[];
  /** The cached object, or undefined. */
  get(namespace: string, name: string): T | undefined;
  /** The same lister narrowed to a namespace. */
  namespace(ns: string): { list(selector?: SelectorLike): T[]; get(name: string): T | undefined };
}

export function lister<T extends Meta>(store: Indexer<T>): Lister<T> {
  const list = (selector?: SelectorLike, namespace?: string): T[] => {
    const match = predicateOf(selector);
    const objs = namespace === undefined ? store.list() : store.byIndex(NAMESPACE_INDEX, namespace);
    return objs.filter((o) => match(o.metadata?.labels ?? {}));
  };
  const get = (namespace: string, name: string): T | undefined => store.get(namespace ? `${namespace}/${name}` : name);
  return {
    list,
    get,
    namespace: (ns) => ({ list: (selector) => list(selector, ns), get: (name) => get(ns, name) }),
  };
}
