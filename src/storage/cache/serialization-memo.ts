/**
 * The response bytes of cached states, kept within one byte budget shared by every
 * resource's cache (as upstream's cachingObject keeps an event's serializations, here for
 * reads too). Each slot belongs to one cache entry, which is immutable: a write makes a new
 * entry, whose memo starts empty, and the old entry's slot is let go at once. Least
 * recently used slots are dropped when the budget is exceeded.
 */
import type { SerializedMemo } from '../../machinery/meta/serialized.js';

/** Default budget: the bytes every memo together may hold. */
export const DEFAULT_SERIALIZATION_BUDGET = 64 * 1024 * 1024;

/** A slot's variants are few (one or two media types, one or two versions). */
interface Slot {
  variants: Map<string, Uint8Array>;
  bytes: number;
}

/** Counters for /metrics. */
export interface SerializationMemoStats {
  budgetBytes: number;
  heldBytes: number;
  slots: number;
  hits: number;
  misses: number;
  evictions: number;
}

export class SerializationMemo {
  /** Insertion order is recency: the first slot is the least recently used. */
  private readonly slots = new Map<object, Slot>();
  private held = 0;
  /** Owners whose state is gone: bytes offered for them later (a request in flight over a write) are not kept. */
  private readonly gone = new WeakSet<object>();
  readonly stats: Omit<SerializationMemoStats, 'budgetBytes' | 'heldBytes' | 'slots'> = { hits: 0, misses: 0, evictions: 0 };

  constructor(readonly budgetBytes = DEFAULT_SERIALIZATION_BUDGET) {}

  /** The memo of `owner` (a cache entry: its identity is the state). */
  of(owner: object): SerializedMemo {
    return {
      get: (variant) => this.get(owner, variant),
      put: (variant, bytes) => this.put(owner, variant, bytes),
    };
  }

  get(owner: object, variant: string): Uint8Array | undefined {
    const slot = this.slots.get(owner);
    const bytes = slot?.variants.get(variant);
    if (!bytes) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    // Most recently used goes last.
    this.slots.delete(owner);
    this.slots.set(owner, slot!);
    return bytes;
  }

  put(owner: object, variant: string, bytes: Uint8Array): Uint8Array {
    // One huge object must not empty the memo; a replaced state's bytes would never be asked for again.
    if (bytes.byteLength > this.budgetBytes / 16 || this.gone.has(owner)) return bytes;
    let slot = this.slots.get(owner);
    if (!slot) {
      slot = { variants: new Map(), bytes: 0 };
      this.slots.set(owner, slot);
    }
    const old = slot.variants.get(variant);
    if (old) {
      slot.bytes -= old.byteLength;
      this.held -= old.byteLength;
    }
    slot.variants.set(variant, bytes);
    slot.bytes += bytes.byteLength;
    this.held += bytes.byteLength;
    while (this.held > this.budgetBytes) {
      const [first, oldest] = this.slots.entries().next().value as [object, Slot];
      this.slots.delete(first);
      this.held -= oldest.bytes;
      this.stats.evictions++;
    }
    return bytes;
  }

  /** `owner`'s state is gone (replaced or deleted): its bytes go. */
  release(owner: object): void {
    this.gone.add(owner);
    const slot = this.slots.get(owner);
    if (!slot) return;
    this.slots.delete(owner);
    this.held -= slot.bytes;
  }

  snapshot(): SerializationMemoStats {
    return { budgetBytes: this.budgetBytes, heldBytes: this.held, slots: this.slots.size, ...this.stats };
  }
}
