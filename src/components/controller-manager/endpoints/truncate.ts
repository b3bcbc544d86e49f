/**
 * Endpoints hold at most 1000 addresses (upstream maxCapacity): beyond that the controller keeps
 * ready addresses first — each subset its proportional share, rounded up, within what is left —
 * and annotates the object `endpoints.kubernetes.io/over-capacity: truncated`.
 */
import type { EndpointSubset } from '../../../../gen/k8s/io/api/core/v1/service.js';

export const MAX_ENDPOINTS_CAPACITY = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

const count = (subsets: EndpointSubset[]): number => subsets.reduce((n, s) => n + (s.addresses ?? []).length + (s.notReadyAddresses ?? []).length, 0);

/** The subsets cut to `capacity` addresses, and whether they had to be. */
export function truncateSubsets(subsets: EndpointSubset[], capacity = MAX_ENDPOINTS_CAPACITY): { subsets: EndpointSubset[]; truncated: boolean } {
  const totalReady = subsets.reduce((n, s) => n + (s.addresses ?? []).length, 0);
  const totalNotReady = subsets.reduce((n, s) => n + (s.notReadyAddresses ?? []).length, 0);
  if (totalReady + totalNotReady <= capacity) return { subsets, truncated: false };
  const truncateReady = totalReady > capacity;
  const max = truncateReady ? capacity : capacity - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  const out = subsets.map((s) => {
    const inSubset = truncateReady ? (s.addresses ?? []).length : (s.notReadyAddresses ?? []).length;
    const toBeAdded = Math.min(Math.ceil((inSubset / numTotal) * max), canBeAdded);
    if (truncateReady) {
      const addresses = (s.addresses ?? []).slice(0, toBeAdded);
      canBeAdded -= addresses.length;
      return { ...s, addresses, notReadyAddresses: [] };
    }
    const notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, toBeAdded);
    canBeAdded -= notReadyAddresses.length;
    return { ...s, notReadyAddresses };
  });
  return { subsets: out, truncated: true };
}

/** Whether an Endpoints' over-capacity annotation agrees with its address count (upstream capacityAnnotationSetCorrectly). */
export function capacityAnnotationSetCorrectly(annotations: Record<string, string> | undefined, subsets: EndpointSubset[], capacity = MAX_ENDPOINTS_CAPACITY): boolean {
  const n = count(subsets);
  if (n > capacity) return false;
  const annotated = Object.hasOwn(annotations ?? {}, OVER_CAPACITY_ANNOTATION);
  return (annotated && n === capacity) || (!annotated && n < capacity);
}
