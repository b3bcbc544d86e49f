/**
 * A set of field paths as a trie, the structure behind `fieldsV1`: at each level the
 * path elements that are members, and the children that hold deeper paths. Both lists
 * stay sorted in SMD's path-element order, which is also the `fieldsV1` key order.
 */
import { comparePathElements, parsePathElement, serializePathElement, type Path, type PathElement } from './path.js';
import type { TypeNode } from './type-node.js';

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

function search<T>(list: readonly T[], pe: PathElement, get: (t: T) => PathElement): { found: boolean; at: number } {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = comparePathElements(get(list[mid]!), pe);
    if (c === 0) return { found: true, at: mid };
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return { found: false, at: lo };
}

const id = (pe: PathElement): PathElement => pe;
const childPe = (c: Child): PathElement => c.pe;

export class FieldSet {
  private constructor(
    readonly members: readonly PathElement[],
    readonly children: readonly Child[],
  ) {}

  private static readonly EMPTY_SET = new FieldSet([], []);

  static empty(): FieldSet {
    return FieldSet.EMPTY_SET;
  }

  static of(...paths: Path[]): FieldSet {
    return FieldSet.fromPaths(paths);
  }

  /**
   * The set of `paths`, built level by level from sorted groups: n log n however many paths
   * (inserting one at a time copies a level's lists for each, quadratic for an object with
   * tens of thousands of labels).
   */
  static fromPaths(paths: readonly Path[]): FieldSet {
    return FieldSet.build(paths, 0);
  }

  private static build(paths: readonly Path[], depth: number): FieldSet {
    const ends: PathElement[] = [];
    const deeper: Array<{ pe: PathElement; path: Path }> = [];
    for (const p of paths) {
      const pe = p[depth];
      if (pe === undefined) continue;
      if (p.length === depth + 1) ends.push(pe);
      else deeper.push({ pe, path: p });
    }
    if (ends.length === 0 && deeper.length === 0) return FieldSet.EMPTY_SET;
    ends.sort(comparePathElements);
    const members: PathElement[] = [];
    for (const pe of ends) {
      const last = members[members.length - 1];
      if (last === undefined || comparePathElements(last, pe) !== 0) members.push(pe);
    }
    deeper.sort((a, b) => comparePathElements(a.pe, b.pe));
    const children: Child[] = [];
    for (let i = 0; i < deeper.length; ) {
      const pe = deeper[i]!.pe;
      const group: Path[] = [];
      for (; i < deeper.length && comparePathElements(deeper[i]!.pe, pe) === 0; i++) group.push(deeper[i]!.path);
      children.push({ pe, set: FieldSet.build(group, depth + 1) });
    }
    return new FieldSet(members, children);
  }

  isEmpty(): boolean {
    return this.members.length === 0 && this.children.every((c) => c.set.isEmpty());
  }

  /** This set plus `path`. */
  insert(path: Path): FieldSet {
    if (path.length === 0) return this;
    const [head, ...rest] = path as [PathElement, ...PathElement[]];
    if (rest.length === 0) {
      const { found, at } = search(this.members, head, id);
      if (found) return this;
      const members = [...this.members];
      members.splice(at, 0, head);
      return new FieldSet(members, this.children);
    }
    const { found, at } = search(this.children, head, childPe);
    const children = [...this.children];
    if (found) children[at] = { pe: head, set: children[at]!.set.insert(rest) };
    else children.splice(at, 0, { pe: head, set: FieldSet.EMPTY_SET.insert(rest) });
    return new FieldSet(this.members, children);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const [head, ...rest] = path as [PathElement, ...PathElement[]];
    if (rest.length === 0) return search(this.members, head, id).found;
    const child = this.child(head);
    return child ? child.has(rest) : false;
  }

  /** The subset below `pe` (paths with `pe` as their first element, without it). */
  child(pe: PathElement): FieldSet | undefined {
    const { found, at } = search(this.children, pe, childPe);
    return found ? this.children[at]!.set : undefined;
  }

  withPrefix(pe: PathElement): FieldSet {
    return this.child(pe) ?? FieldSet.EMPTY_SET;
  }

  hasMember(pe: PathElement): boolean {
    return search(this.members, pe, id).found;
  }

  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const members = mergeSorted(this.members, other.members, id, (a) => a);
    const children = mergeSorted(this.children, other.children, childPe, (a, b) => (b ? { pe: a.pe, set: a.set.union(b.set) } : a));
    return new FieldSet(members, children);
  }

  intersection(other: FieldSet): FieldSet {
    const members = this.members.filter((pe) => other.hasMember(pe));
    const children: Child[] = [];
    for (const c of this.children) {
      const o = other.child(c.pe);
      if (!o) continue;
      const set = c.set.intersection(o);
      if (!set.isEmpty()) children.push({ pe: c.pe, set });
    }
    return new FieldSet(members, children);
  }

  /** Paths of this set that are not in `other` (deeper paths of a removed member stay). */
  difference(other: FieldSet): FieldSet {
    const members = this.members.filter((pe) => !other.hasMember(pe));
    const children: Child[] = [];
    for (const c of this.children) {
      const o = other.child(c.pe);
      const set = o ? c.set.difference(o) : c.set;
      if (!set.isEmpty()) children.push({ pe: c.pe, set });
    }
    return new FieldSet(members, children);
  }

  /** Like difference, but a member of `other` also removes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const members = this.members.filter((pe) => !other.hasMember(pe));
    const children: Child[] = [];
    for (const c of this.children) {
      if (other.hasMember(c.pe)) continue;
      const o = other.child(c.pe);
      const set = o ? c.set.recursiveDifference(o) : c.set;
      if (!set.isEmpty()) children.push({ pe: c.pe, set });
    }
    return new FieldSet(members, children);
  }

  /** Adds as members the declared struct fields this set descends into (SMD's EnsureNamedFieldsAreMembers). */
  ensureNamedFieldsAreMembers(type: TypeNode): FieldSet {
    const members = [...this.members];
    const children: Child[] = [];
    for (const c of this.children) {
      let childType: TypeNode = { kind: 'untyped' };
      if ('field' in c.pe && type.kind === 'map') {
        if (type.hasField(c.pe.field)) {
          const { found, at } = search(members, c.pe, id);
          if (!found) members.splice(at, 0, c.pe);
        }
        childType = type.field(c.pe.field) ?? type.elementType;
      } else if ('key' in c.pe && type.kind === 'list') {
        childType = type.elementType;
      }
      children.push({ pe: c.pe, set: c.set.ensureNamedFieldsAreMembers(childType) });
    }
    return new FieldSet(members, children);
  }

  /** Every path: at each level the members first, then the children's paths. */
  iterate(f: (path: Path) => void, prefix: Path = []): void {
    for (const pe of this.members) f([...prefix, pe]);
    for (const c of this.children) c.set.iterate(f, [...prefix, c.pe]);
  }

  paths(): Path[] {
    const out: Path[] = [];
    this.iterate((p) => out.push(p));
    return out;
  }

  equals(other: FieldSet): boolean {
    return JSON.stringify(this.toFieldsV1()) === JSON.stringify(other.toFieldsV1());
  }

  /** The `fieldsV1` JSON object of this set. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (includeSelf && !this.isEmpty()) out['.'] = {};
    let mi = 0;
    let ci = 0;
    while (mi < this.members.length || ci < this.children.length) {
      const m = this.members[mi];
      const c = this.children[ci];
      const d = m === undefined ? 1 : c === undefined ? -1 : comparePathElements(m, c.pe);
      if (d < 0) {
        out[serializePathElement(m!)] = {};
        mi++;
      } else if (d > 0) {
        out[serializePathElement(c!.pe)] = c!.set.emit(false);
        ci++;
      } else {
        out[serializePathElement(c!.pe)] = c!.set.emit(true);
        mi++;
        ci++;
      }
    }
    return out;
  }

  /** Reads a `fieldsV1` object; throws on malformed input. */
  static fromFieldsV1(v: unknown): FieldSet {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected an object');
    return FieldSet.read(v as Record<string, unknown>).set;
  }

  private static read(obj: Record<string, unknown>): { set: FieldSet; self: boolean } {
  const members: PathElement[] = [];
  const children: Child[] = [];
  let self = false;
  for (const [k, v] of Object.entries(obj)) {
    if (k === '.') {
      self = true;
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`expected an object for ${JSON.stringify(k)}`);
    const pe = parsePathElement(k);
    const inner = FieldSet.read(v as Record<string, unknown>);
    if (inner.self || inner.set.isEmpty()) members.push(pe);
    if (!inner.set.isEmpty()) children.push({ pe, set: inner.set });
  }
  members.sort(comparePathElements);
  children.sort((a, b) => comparePathElements(a.pe, b.pe));
  return { set: new FieldSet(members, children), self };
  }
}

function mergeSorted<T>(a: readonly T[], b: readonly T[], pe: (t: T) => PathElement, both: (x: T, y: T | undefined) => T): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const d = x === undefined ? 1 : y === undefined ? -1 : comparePathElements(pe(x), pe(y));
    if (d < 0) {
      out.push(both(x!, undefined));
      i++;
    } else if (d > 0) {
      out.push(y!);
      j++;
    } else {
      out.push(both(x!, y));
      i++;
      j++;
    }
  }
  return out;
}
