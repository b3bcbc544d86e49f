/**
 * Strategic merge patch. Placeholder: behaves as a JSON merge patch until the
 * schema-driven implementation (merge keys, directives) lands.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import { applyMergePatch } from './merge-patch.js';

/** Applies a strategic merge patch to an object of message type `typeName`. */
export function applyStrategicMergePatch(typeName: string, current: KubeObject, patch: Record<string, unknown>): unknown {
  void typeName;
  return applyMergePatch(current, patch);
}
