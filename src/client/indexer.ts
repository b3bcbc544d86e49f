/**
 * The informer's cache: objects by key (`namespace/name`, or `name` for cluster-scoped
 * objects, as client-go's MetaNamespaceKeyFunc) with secondary indexes kept in step.
 */
export interface Meta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: { [key: string]: string } } | undefined;
}

/** An index function: the index values an object is filed under. */
export type IndexFunc<T> = (obj: T) => string[];

/** The `namespace` index every informer has. */
export const NAMESPACE_INDEX = 'namespace';

/** `namespace/name`, or `name` when the object has no namespace. */
export function keyOf(obj: Meta): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

/** A key's namespace ('' when none) and name. */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

export class Indexer<T extends Meta> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndexers({ [NAMESPACE_INDEX]: (o) => [o.metadata?.namespace ?? ''] });
  }

  /** Adds index functions; existing objects are indexed at once. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`indexer ${JSON.stringify(name)} already exists`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) file(index, fn(obj), key);
    }
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }
  list(): T[] {
    return [...this.items.values()];
  }
  keys(): string[] {
    return [...this.items.keys()];
  }
  get size(): number {
    return this.items.size;
  }

  /** Objects filed under `value` in index `name`. */
  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index ${JSON.stringify(name)} does not exist`);
    return [...(index.get(value) ?? [])].map((k) => this.items.get(k) as T);
  }

  /** Stores `obj`; returns what it replaced. */
  upsert(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) file(this.indices.get(name) as Map<string, Set<string>>, fn(obj), key);
    return old;
  }

  /** Removes the object at `key`; returns it. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const v of fn(obj)) {
        const set = index.get(v);
        set?.delete(key);
        if (set?.size === 0) index.delete(v);
      }
    }
  }
}

function file(index: Map<string, Set<string>>, values: string[], key: string): void {
  for (const v of values) (index.get(v) ?? index.set(v, new Set()).get(v))?.add(key);
}
