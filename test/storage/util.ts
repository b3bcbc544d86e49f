/** Small helpers shared by the storage tests. */
import type { KvEvent } from '../../src/storage/kv.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

let seq = 0;
/** A key prefix no other test uses (backends such as a shared etcd keep state between tests). */
export function uniquePrefix(tag: string): string {
  seq += 1;
  return `/registry/t${process.pid}-${Date.now().toString(36)}-${seq}-${tag}/`;
}

/** Read from `iter` until `done(items)` says so, or fail after `timeoutMs`. */
export async function collect<T>(iter: AsyncIterable<T>, done: (items: T[]) => boolean, timeoutMs = 10_000): Promise<T[]> {
  const items: T[] = [];
  const it = iter[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms with ${items.length} items: ${JSON.stringify(items).slice(0, 2000)}`)), timeoutMs);
  });
  try {
    while (!done(items)) {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) break;
      items.push(r.value);
    }
    return items;
  } finally {
    clearTimeout(timer);
    void it.return?.();
  }
}

/** Flatten watch batches into "type key@rev" strings. */
export function describe(batches: KvEvent[][]): string[] {
  return batches.flat().map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`);
}

/** The first error thrown while reading `iter` (fails when it ends or yields first). */
export async function firstError(iter: AsyncIterable<unknown>, timeoutMs = 10_000): Promise<unknown> {
  try {
    await collect(iter, () => false, timeoutMs);
  } catch (err) {
    return err;
  }
  throw new Error('iteration ended without an error');
}
