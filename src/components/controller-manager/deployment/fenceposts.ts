/**
 * maxSurge and maxUnavailable resolved against spec.replicas, as upstream's ResolveFenceposts:
 * a percentage of surge rounds up, of unavailability down; when both come to zero,
 * unavailability is 1 (surge might be refused by quota). Only RollingUpdate Deployments have
 * either; maxUnavailable never exceeds the replica count.
 */
import type { Deployment } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { IntOrString } from '../../../../gen/k8s/io/apimachinery/pkg/util/intstr/generated.js';

/** An int-or-percent scaled against `total` (intstr.GetScaledValueFromIntOrPercent). */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (!v) return 0;
  if ((v.type ?? 0) === 0) return v.intVal ?? 0;
  const s = v.strVal ?? '';
  if (!s.endsWith('%')) {
    const n = Number.parseInt(s, 10);
    if (Number.isNaN(n)) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
    return n;
  }
  const pct = Number.parseInt(s.slice(0, -1), 10);
  if (Number.isNaN(pct)) throw new Error(`invalid value "${s}": strconv.Atoi: parsing "${s.slice(0, -1)}": invalid syntax`);
  const x = (pct * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export const isRollingUpdate = (d: Deployment): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

export const desiredReplicas = (d: Deployment): number => d.spec?.replicas ?? 1;

/** [surge, unavailable] for `desired` replicas. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** How many pods above spec.replicas a rollout may run. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const r = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(r?.maxSurge, r?.maxUnavailable, desiredReplicas(d))[0];
}

/** How many of spec.replicas may be unavailable during a rollout. */
export function maxUnavailable(d: Deployment): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  const r = d.spec?.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(r?.maxSurge, r?.maxUnavailable, desired)[1], desired);
}
