/**
 * Ownership bookkeeping for updates and applies, as structured-merge-diff's merge.Updater:
 * an update takes every field it changes (and removes those fields from everyone else); an
 * apply merges the configuration, owns exactly what it applied, conflicts with other
 * managers over fields whose values it would change, and prunes what it applied before but
 * no longer applies (unless someone else owns it). Managers are opaque identifiers here.
 */
import { pathToString } from './path.js';
import { FieldSet } from './set.js';
import { compare, isSame, merge, removeItems, toFieldSet, type Comparison } from './typed.js';
import type { TypeNode } from './type-node.js';

export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
}

/** Manager identifier → what it owns. */
export type ManagedFields = Map<string, VersionedSet>;

export interface Conflict {
  readonly manager: string;
  readonly path: string;
}

/** An apply that would change fields other managers own. */
export class ApplyConflicts extends Error {
  constructor(readonly conflicts: readonly Conflict[]) {
    super(conflicts.map((c) => `conflict with ${JSON.stringify(c.manager)}: ${c.path}`).join('\n'));
  }
}

/** Shows an object (at the request's version) as another version of its kind does. */
export interface VersionConverter {
  /** The value and type of `obj` at `version`; undefined when the kind has no such version. */
  convert(obj: unknown, version: string): { value: unknown; type: TypeNode } | undefined;
}

export interface UpdaterOptions {
  /** Per API version, fields no manager can own (e.g. status on the main resource). */
  readonly ignored?: ReadonlyMap<string, FieldSet>;
  /**
   * Converts objects for managers that recorded their fields at another API version, so
   * their ownership is compared in their own field paths (SMD's Converter). Without it,
   * every manager is compared at the request's version.
   */
  readonly converter?: VersionConverter;
}

function excludeFields(c: Comparison, fields: FieldSet | undefined): Comparison {
  if (!fields || fields.isEmpty()) return c;
  return {
    added: c.added.recursiveDifference(fields),
    modified: c.modified.recursiveDifference(fields),
    removed: c.removed.recursiveDifference(fields),
  };
}

export class Updater {
  private readonly ignored: ReadonlyMap<string, FieldSet>;
  private readonly converter: VersionConverter | undefined;

  constructor(opts: UpdaterOptions = {}) {
    this.ignored = opts.ignored ?? new Map();
    this.converter = opts.converter;
  }

  /** The comparison at `version`, or null when the kind has no such version. */
  private compareAt(oldObject: unknown, newObject: unknown, version: string): Comparison | null {
    const converter = this.converter;
    if (!converter) return null;
    let from: ReturnType<VersionConverter['convert']>;
    let to: ReturnType<VersionConverter['convert']>;
    try {
      from = converter.convert(oldObject, version);
      to = converter.convert(newObject, version);
    } catch {
      // An object that does not convert keeps that version's owners as they are.
      return { added: FieldSet.empty(), modified: FieldSet.empty(), removed: FieldSet.empty() };
    }
    if (!from || !to) return null;
    return excludeFields(compare(from.value, to.value, from.type), this.ignored.get(version));
  }

  private ignoredAt(version: string): FieldSet {
    return this.ignored.get(version) ?? FieldSet.empty();
  }

  private reconcile(oldObject: unknown, newObject: unknown, type: TypeNode, version: string, managers: ManagedFields, workflow: string, force: boolean): { managers: ManagedFields; comparison: Comparison } {
    const comparison = excludeFields(compare(oldObject, newObject, type), this.ignored.get(version));
    // Each manager is compared in the field paths of the version it recorded (once per version).
    const byVersion = new Map<string, Comparison | null>([[version, comparison]]);
    const comparisonFor = (v: string): Comparison | null => {
      let c = byVersion.get(v);
      if (c === undefined) {
        c = this.converter ? this.compareAt(oldObject, newObject, v) : comparison;
        byVersion.set(v, c);
      }
      return c;
    };
    const conflicts = new Map<string, FieldSet>();
    const removed = new Map<string, FieldSet>();
    const obsolete = new Set<string>();
    for (const [manager, owned] of managers) {
      if (manager === workflow) continue;
      const c = comparisonFor(owned.apiVersion);
      if (!c) {
        // Recorded at a version the kind no longer has: dropped, as SMD does.
        obsolete.add(manager);
        continue;
      }
      const clash = owned.set.intersection(c.modified.union(c.added));
      if (!clash.isEmpty()) conflicts.set(manager, clash);
      if (!c.removed.isEmpty()) removed.set(manager, c.removed);
    }
    if (!force && conflicts.size > 0) {
      const list: Conflict[] = [];
      for (const [manager, set] of conflicts) set.iterate((p) => list.push({ manager, path: pathToString(p) }));
      throw new ApplyConflicts(list);
    }
    const out: ManagedFields = new Map();
    for (const [manager, owned] of managers) {
      if (obsolete.has(manager)) continue;
      let set = owned.set;
      const clash = conflicts.get(manager);
      if (clash) set = set.difference(clash);
      const gone = removed.get(manager);
      if (gone) set = set.difference(gone);
      if (!set.isEmpty()) out.set(manager, { ...owned, set });
    }
    return { managers: out, comparison };
  }

  /** Records a non-apply write of `next` over `live` by `manager`. */
  update(live: unknown, next: unknown, type: TypeNode, version: string, managers: ManagedFields, manager: string): { object: unknown; managers: ManagedFields } {
    const { managers: out, comparison } = this.reconcile(live, next, type, version, managers, manager, true);
    const previous = out.get(manager)?.set ?? FieldSet.empty();
    const set = previous.union(comparison.modified).union(comparison.added).difference(comparison.removed).recursiveDifference(this.ignoredAt(version));
    if (set.isEmpty()) out.delete(manager);
    else out.set(manager, { set, apiVersion: version, applied: false });
    return { object: next, managers: out };
  }

  /**
   * Applies `config` over `live` for `manager`. Returns the new object, or undefined when
   * nothing changes; throws ApplyConflicts unless `force`.
   */
  apply(live: unknown, config: unknown, type: TypeNode, version: string, managers: ManagedFields, manager: string, force: boolean): { object: unknown; managers: ManagedFields } {
    let merged = merge(live, config, type);
    const last = managers.get(manager);
    let set = toFieldSet(config, type);
    const ignored = this.ignored.get(version);
    if (ignored) set = set.recursiveDifference(ignored);
    const next: ManagedFields = new Map(managers);
    next.set(manager, { set, apiVersion: version, applied: true });
    merged = this.prune(merged, type, next, last);
    const { managers: out, comparison } = this.reconcile(live, merged, type, version, next, manager, force);
    return { object: isSame(comparison) ? undefined : merged, managers: out };
  }

  /** Removes from `merged` what `manager` applied last time but not now, unless still owned. */
  private prune(merged: unknown, type: TypeNode, managers: ManagedFields, last: VersionedSet | undefined): unknown {
    if (!last || last.set.isEmpty()) return merged;
    let pruned = removeItems(merged, last.set.ensureNamedFieldsAreMembers(type), type);
    pruned = this.addBackOwned(merged, pruned, type, managers);
    return this.addBackDangling(merged, pruned, type, last);
  }

  private addBackOwned(merged: unknown, pruned: unknown, type: TypeNode, managers: ManagedFields): unknown {
    let owned = FieldSet.empty();
    for (const m of managers.values()) owned = owned.union(m.set);
    const mergedSet = toFieldSet(merged, type).ensureNamedFieldsAreMembers(type);
    const prunedSet = toFieldSet(pruned, type).ensureNamedFieldsAreMembers(type);
    return removeItems(merged, mergedSet.difference(prunedSet.union(owned.ensureNamedFieldsAreMembers(type))), type);
  }

  private addBackDangling(merged: unknown, pruned: unknown, type: TypeNode, last: VersionedSet): unknown {
    const prunedSet = toFieldSet(pruned, type).ensureNamedFieldsAreMembers(type);
    const mergedSet = toFieldSet(merged, type).ensureNamedFieldsAreMembers(type);
    const lastSet = last.set.ensureNamedFieldsAreMembers(type);
    return removeItems(merged, mergedSet.difference(prunedSet).intersection(lastSet), type);
  }
}
