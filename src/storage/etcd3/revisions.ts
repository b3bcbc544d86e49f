import { StorageError } from '../errors.js';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Convert an etcd int64 (a decimal string on the wire) to a number, refusing values above 2^53. */
export function toRevision(value: string | number | undefined): number {
  if (value === undefined || value === '') return 0;
  const big = BigInt(value);
  if (big > MAX || big < -MAX) {
    throw new StorageError('Unavailable', `etcd revision ${String(value)} exceeds the safe integer range`);
  }
  return Number(big);
}

/** Exclusive end of the byte range with `prefix` ("\0" = to the end of the keyspace). */
export function prefixEndBytes(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
