/**
 * The short hashes controllers put in revision names and the `controller-revision-hash` label:
 * a 32-bit FNV hash written in decimal, each digit mapped onto upstream's safe alphabet
 * (k8s.io/apimachinery/pkg/util/rand.SafeEncodeString), so names never spell words.
 */
import { Buffer } from 'node:buffer';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1 (multiply, then xor) over `bytes`, as Go's hash/fnv New32. */
export function fnv1(bytes: Uint8Array, seed = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) h = (Math.imul(h, FNV_PRIME) ^ b) >>> 0;
  return h;
}

/** FNV-1a (xor, then multiply) over `bytes`, as Go's hash/fnv New32a. */
export function fnv1a(bytes: Uint8Array, seed = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME) >>> 0;
  return h;
}

/** rand.SafeEncodeString of the decimal form of `n`. */
export function safeEncode(n: number): string {
  let out = '';
  for (const ch of String(n >>> 0)) out += ALPHANUMS[ch.charCodeAt(0) % ALPHANUMS.length];
  return out;
}

/**
 * A StatefulSet revision's hash (history.HashControllerRevision): FNV-1 over the revision's
 * data, then the collision count in decimal when there is one.
 */
export function hashRevisionData(data: string, collisionCount: number | undefined): string {
  let h = fnv1(Buffer.from(data, 'utf8'));
  if (collisionCount !== undefined) h = fnv1(Buffer.from(String(collisionCount), 'utf8'), h);
  return safeEncode(h);
}

/**
 * A DaemonSet template's hash (controller.ComputeHash): FNV-1a over the template's JSON, then
 * the collision count as 8 little-endian bytes when there is one.
 */
export function hashTemplate(templateJson: string, collisionCount: number | undefined): string {
  let h = fnv1a(Buffer.from(templateJson, 'utf8'));
  if (collisionCount !== undefined) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv1a(bytes, h);
  }
  return safeEncode(h);
}
