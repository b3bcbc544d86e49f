/**
 * Value transformers, as k8s.io/apiserver's storage/value: what stands between an object's
 * encoded bytes and the bytes stored under its key. Reading tells whether the value should
 * be rewritten (it was not written by the first transformer, or not with its first key):
 * an update then writes it again even when the object is unchanged, which is how keys are
 * rotated and existing values encrypted.
 */
import { Buffer } from 'node:buffer';

/** A stored value made readable. */
export interface TransformedValue {
  data: Uint8Array;
  /** Not what the first transformer (with its first key) would write: rewrite on update. */
  stale: boolean;
}

/**
 * Turns stored bytes into plaintext and back. `key` is the storage key, which authenticated
 * encryption binds the value to (a value copied under another key does not read). Reading
 * throws an Error whose message is upstream's wording.
 */
export interface ValueTransformer {
  fromStorage(data: Uint8Array, key: string): TransformedValue;
  toStorage(data: Uint8Array, key: string): Uint8Array;
}

/** Every encrypted value starts with this; a plaintext value never does. */
export const ENCRYPTED_PREFIX = Buffer.from('k8s:enc:');

function hasPrefix(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.byteLength < prefix.byteLength) return false;
  for (let i = 0; i < prefix.byteLength; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

/**
 * The identity provider (upstream's encrypt-check transformer): writes plaintext, reads
 * anything but an encrypted value. Also what a resource no configuration names is read with.
 */
export const identityTransformer: ValueTransformer = {
  fromStorage(data) {
    if (hasPrefix(data, ENCRYPTED_PREFIX)) throw new Error('identity transformer tried to read encrypted data');
    return { data, stale: false };
  },
  toStorage: (data) => data,
};

/** A transformer used for values starting with `prefix` (written with the prefix in front). */
export interface PrefixedTransformer {
  prefix: Uint8Array;
  transformer: ValueTransformer;
}

/** Upstream's errors.Reduce(NewAggregate(errs)): one error as itself, several as `[a, b]`. */
function aggregate(errs: Error[]): Error {
  if (errs.length === 1) return errs[0]!;
  return new Error(`[${errs.map((e) => e.message).join(', ')}]`);
}

/**
 * Upstream's prefixTransformers: writes with the first; reads with each whose prefix the
 * value starts with, in order, until one succeeds (prefixes may repeat: the same provider
 * listed twice with different keys). A value read by any but the first is stale. An empty
 * prefix (identity) that fails is passed over silently; `noMatch` is the error when
 * nothing matched.
 */
export function prefixTransformers(noMatch: string, list: readonly PrefixedTransformer[]): ValueTransformer {
  const first = list[0];
  if (!first) throw new Error('a prefix transformer needs at least one transformer');
  return {
    fromStorage(data, key) {
      const errs: Error[] = [];
      for (let i = 0; i < list.length; i++) {
        const { prefix, transformer } = list[i]!;
        if (!hasPrefix(data, prefix)) continue;
        let out: TransformedValue;
        try {
          out = transformer.fromStorage(data.subarray(prefix.byteLength), key);
        } catch (err) {
          if (prefix.byteLength > 0) errs.push(err instanceof Error ? err : new Error(String(err)));
          continue;
        }
        return { data: out.data, stale: out.stale || i !== 0 };
      }
      throw errs.length > 0 ? aggregate(errs) : new Error(noMatch);
    },
    toStorage(data, key) {
      const body = first.transformer.toStorage(data, key);
      return Buffer.concat([first.prefix, body]);
    },
  };
}
