import type { KubeObject } from '../machinery/meta/object.js';
import { StorageError } from './errors.js';
import type { TransformedValue, ValueTransformer } from './value/transformer.js';

/**
 * Serializes objects to the bytes stored in the backend. A codec with a `transformer`
 * stores the encoded bytes through the key's value transformer (encryption at rest): the
 * helpers below are the one way values go in and out, so the store, the watch cache,
 * lists and watches read them alike.
 */
export interface Codec {
  encode(obj: KubeObject): Uint8Array;
  decode(bytes: Uint8Array): KubeObject;
  /** The value transformer of a storage key; absent: values are stored as encoded. */
  transformer?(key: string): ValueTransformer;
}

/** The default codec: UTF-8 JSON. */
export function jsonCodec(): Codec {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return {
    encode: (obj) => enc.encode(JSON.stringify(obj)),
    decode: (bytes) => JSON.parse(dec.decode(bytes)) as KubeObject,
  };
}

/** `codec` whose values are stored through `transformer(key)`. */
export function withValueTransformer(codec: Codec, transformer: (key: string) => ValueTransformer): Codec {
  return { encode: (obj) => codec.encode(obj), decode: (bytes) => codec.decode(bytes), transformer };
}

/** Encode `obj` without `metadata.resourceVersion` (the revision is never stored in the value). */
export function encodeWithoutVersion(codec: Codec, obj: KubeObject): Uint8Array {
  if (obj.metadata?.resourceVersion === undefined) return codec.encode(obj);
  const metadata = { ...obj.metadata };
  delete metadata.resourceVersion;
  return codec.encode({ ...obj, metadata });
}

/** The bytes to store under `key` for an encoded value (encrypted when the key's resource is). */
export function toStoredValue(codec: Codec, encoded: Uint8Array, key: string): Uint8Array {
  return codec.transformer ? codec.transformer(key).toStorage(encoded, key) : encoded;
}

/**
 * The encoded value stored under `key`, and whether it is stale (read with a provider or key
 * other than the first: an update rewrites it even when the object is unchanged). A value no
 * provider reads is an Internal error (a 500), worded as upstream's transformer.
 */
export function fromStoredValue(codec: Codec, stored: Uint8Array, key: string): TransformedValue {
  if (!codec.transformer) return { data: stored, stale: false };
  try {
    return codec.transformer(key).fromStorage(stored, key);
  } catch (err) {
    throw new StorageError('Internal', (err as Error).message ?? String(err), { key, cause: err });
  }
}

/** Decode encoded (already transformed) bytes and stamp `metadata.resourceVersion` with `revision`. */
export function decodeEncodedWithVersion(codec: Codec, bytes: Uint8Array, revision: number, key: string): KubeObject {
  let obj: KubeObject;
  try {
    obj = codec.decode(bytes);
  } catch (err) {
    throw new StorageError('Internal', `cannot decode object stored at ${key}: ${(err as Error).message}`, { key, cause: err });
  }
  if (obj === null || typeof obj !== 'object') {
    throw new StorageError('Internal', `object stored at ${key} is not a JSON object`, { key });
  }
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(revision) };
  return obj;
}

/** Decode stored bytes (through the key's transformer) and stamp `metadata.resourceVersion` with `revision`. */
export function decodeWithVersion(codec: Codec, bytes: Uint8Array, revision: number, key: string): KubeObject {
  return decodeEncodedWithVersion(codec, fromStoredValue(codec, bytes, key).data, revision, key);
}

/** Byte-wise equality of two encoded values. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
