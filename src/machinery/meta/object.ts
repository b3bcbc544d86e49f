/**
 * The JSON shape of Kubernetes objects as the server handles them: canonical Kubernetes
 * JSON (what clients send and receive), with typed access to metadata.
 */

import type { ObjectMeta } from '../../../gen/kube/meta-v1.js';

/** meta/v1 ObjectMeta and OwnerReference in their Kubernetes JSON shape (generated from proto/). */
export type { ObjectMeta, OwnerReference } from '../../../gen/kube/meta-v1.js';

/** Any top-level Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** A Kubernetes list (`XList`). */
export interface KubeList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

/** RFC 3339 with seconds precision, as meta/v1 Time serializes. */
export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A JSON deep clone (objects here are plain JSON). */
export function cloneObject<T>(obj: T): T {
  return structuredClone(obj);
}

/** Deep equality for plain JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}
