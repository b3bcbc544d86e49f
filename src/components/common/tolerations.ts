/** Toleration matching as upstream's `Toleration.ToleratesTaint`. */
import type { Taint } from '../../../gen/k8s/io/api/core/v1/node.js';
import type { Toleration } from '../../../gen/k8s/io/api/core/v1/pod.js';

/**
 * Whether `t` tolerates `taint`: an empty effect matches every effect, an empty key with Exists
 * matches every key; Exists ignores the value, Equal (the default) compares it.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

/** The first taint with one of `effects` that no toleration tolerates. */
export function firstUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, effects: string[]): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!effects.includes(taint.effect ?? '')) continue;
    if (!(tolerations ?? []).some((t) => toleratesTaint(t, taint))) return taint;
  }
  return undefined;
}
