/** An ascending array of unique keys with binary-search insert, remove and range start. */
export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Index of the first key >= `key`. */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  remove(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  at(i: number): string | undefined {
    return this.keys[i];
  }

  clear(): void {
    this.keys.length = 0;
  }

  /** Keys >= start and < end (undefined: unbounded), ascending. */
  *range(start: string, end: string | undefined): IterableIterator<string> {
    for (let i = this.lowerBound(start); i < this.keys.length; i++) {
      const k = this.keys[i]!;
      if (end !== undefined && k >= end) return;
      yield k;
    }
  }

  /** How many keys are >= start and < end. */
  count(start: string, end: string | undefined): number {
    const from = this.lowerBound(start);
    const to = end === undefined ? this.keys.length : this.lowerBound(end);
    return Math.max(0, to - from);
  }
}
