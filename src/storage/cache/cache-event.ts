/**
 * The cache's record of one stored version (an entry) and of one change (an event). Both
 * keep the stored bytes, not decoded objects; the objects a watch needs are decoded once
 * per event and shared by every watcher, so downstream steps can memoize by identity.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import { decodeWithVersion, type Codec } from '../codec.js';
import type { KeyValue } from '../kv.js';
import type { ObjectWatchEvent } from '../object-store.js';
import type { Selection, SelectionAttributes } from './selection.js';

/** One key's current (or past) state in the cache. Immutable: a change makes a new entry. */
export interface CacheEntry {
  readonly key: string;
  readonly kv: KeyValue;
  readonly attrs: SelectionAttributes;
  /** The shared ADDED event for a watch's initial state; dropped when unused for a while. */
  added?: ObjectWatchEvent;
}

/** One change: `cur` is the new state (absent for a delete), `prev` the state before (absent for a create). */
export interface CacheEvent {
  readonly revision: number;
  readonly key: string;
  readonly cur?: CacheEntry;
  readonly prev?: CacheEntry;
  /** Stored bytes this event holds: what a watcher's byte budget counts. */
  readonly size: number;
  memo?: EventMemo;
}

interface EventMemo {
  object?: KubeObject;
  prevObject?: KubeObject;
  added?: ObjectWatchEvent;
  modified?: ObjectWatchEvent;
  deleted?: ObjectWatchEvent;
}

/** Which objects a watcher wants: a structured selection, a predicate on decoded objects, or all. */
export interface WatchFilter {
  selection?: Selection;
  predicate?: (o: KubeObject) => boolean;
}

/** Decodes entries and events, sharing what it decodes. */
export class EventObjects {
  constructor(private readonly codec: Codec) {}

  /** A fresh object for an entry (callers own it). */
  decode(entry: CacheEntry): KubeObject {
    return decodeWithVersion(this.codec, entry.kv.value, entry.kv.modRevision, entry.key);
  }

  /** The shared ADDED event of an entry, for initial states. */
  addedOf(entry: CacheEntry): ObjectWatchEvent {
    entry.added ??= { type: 'ADDED', object: this.decode(entry) };
    return entry.added;
  }

  private memo(ev: CacheEvent): EventMemo {
    ev.memo ??= {};
    return ev.memo;
  }

  private object(ev: CacheEvent): KubeObject {
    const m = this.memo(ev);
    m.object ??= this.decode(ev.cur!);
    return m.object;
  }

  /** The last state before the event, stamped with the event's revision (what DELETED carries). */
  private prevObject(ev: CacheEvent): KubeObject {
    const m = this.memo(ev);
    m.prevObject ??= decodeWithVersion(this.codec, ev.prev!.kv.value, ev.revision, ev.key);
    return m.prevObject;
  }

  private wrap(ev: CacheEvent, type: 'ADDED' | 'MODIFIED' | 'DELETED'): ObjectWatchEvent {
    const m = this.memo(ev);
    if (type === 'ADDED') return (m.added ??= { type, object: this.object(ev) });
    if (type === 'MODIFIED') return (m.modified ??= { type, object: this.object(ev) });
    return (m.deleted ??= { type, object: this.prevObject(ev) });
  }

  private matches(filter: WatchFilter, entry: CacheEntry, decoded: () => KubeObject): boolean {
    if (filter.selection) return filter.selection.matches(entry.attrs);
    if (filter.predicate) return filter.predicate(decoded());
    return true;
  }

  /**
   * What a watcher with `filter` sees of `ev`, as kube-apiserver: an object that starts
   * matching is ADDED, one that stops matching is DELETED (its last state at this revision).
   */
  eventFor(ev: CacheEvent, filter: WatchFilter): ObjectWatchEvent | undefined {
    // A watcher of everything (the common case, once per watcher per event): no matching.
    if (!filter.selection && !filter.predicate) {
      if (ev.cur) return this.wrap(ev, ev.prev ? 'MODIFIED' : 'ADDED');
      return ev.prev ? this.wrap(ev, 'DELETED') : undefined;
    }
    const now = ev.cur ? this.matches(filter, ev.cur, () => this.object(ev)) : false;
    const before = ev.prev ? this.matches(filter, ev.prev, () => this.prevObject(ev)) : false;
    if (now) return this.wrap(ev, before ? 'MODIFIED' : 'ADDED');
    return before ? this.wrap(ev, 'DELETED') : undefined;
  }

  /** Whether an entry is selected by `filter`. */
  selects(entry: CacheEntry, filter: WatchFilter): boolean {
    return this.matches(filter, entry, () => this.decode(entry));
  }
}
