/**
 * The pod-template-hash, shaped as upstream's controller.ComputeHash: an FNV-1a 32-bit hash of
 * the pod template, then (when the Deployment has a collisionCount) of the count as 8
 * little-endian bytes, printed in decimal and safe-encoded (each character mapped into the
 * vowel-free alphabet of apimachinery's rand.SafeEncodeString), so names never spell words.
 *
 * Upstream hashes Go's spew dump of the PodTemplateSpec struct; this hashes a canonical JSON
 * form of the template instead (keys sorted, empty values dropped), so a template's hash is
 * stable here but not equal to the one kube-controller-manager would compute.
 */
import type { PodTemplateSpec } from '../../../../gen/k8s/io/api/core/v1/pod.js';

/** apimachinery's rand alphanums: no vowels, no 0/1/3, no look-alikes. */
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Maps each character of `s` into SAFE_ALPHANUMS (rand.SafeEncodeString). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHANUMS[s.charCodeAt(i) % SAFE_ALPHANUMS.length];
  return out;
}

/** FNV-1a, 32 bits, over bytes, continuing from `hash`. */
export function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with sorted keys and empty values (undefined, null, '', [], {}) dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value) ?? null);
}

function canonical(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (value === '') return undefined;
  return value;
}

/** The pod-template-hash of `template` for a Deployment with `collisionCount`. */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
