import type { KubeObject } from '../machinery/meta/object.js';
import { StorageError } from './errors.js';

/** Serializes objects to the bytes stored in the backend. */
export interface Codec {
  encode(obj: KubeObject): Uint8Array;
  decode(bytes: Uint8Array): KubeObject;
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

/** Encode `obj` without `metadata.resourceVersion` (the revision is never stored in the value). */
export function encodeWithoutVersion(codec: Codec, obj: KubeObject): Uint8Array {
  if (obj.metadata?.resourceVersion === undefined) return codec.encode(obj);
  const metadata = { ...obj.metadata };
  delete metadata.resourceVersion;
  return codec.encode({ ...obj, metadata });
}

/** Decode stored bytes and stamp `metadata.resourceVersion` with `revision`. */
export function decodeWithVersion(codec: Codec, bytes: Uint8Array, revision: number, key: string): KubeObject {
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

/** Byte-wise equality of two encoded values. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
