/**
 * Which EndpointSlices to create, update and delete so a Service's slices hold the desired
 * endpoints (a simplified upstream reconciler): slices of another address type or of port sets
 * no longer wanted go; an existing slice keeps the endpoints still wanted (with their new
 * state) and takes new ones while it has room; the rest fill new slices of at most
 * `maxEndpointsPerSlice` (100). A Service with no endpoints keeps one placeholder slice without
 * ports or endpoints.
 */
import { EndpointSlice, type Endpoint, type EndpointPort } from '../../../../gen/k8s/io/api/discovery/v1/generated.js';
import type { OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { endpointKey, portsKey, type Desired } from './desired.js';

export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceMeta {
  namespace: string;
  serviceName: string;
  addressType: string;
  labels: Record<string, string>;
  ownerReference: OwnerReference;
  maxEndpointsPerSlice?: number;
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

function compareIP(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4) for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An endpoint in a comparable form. */
export function canonicalEndpoint(e: Endpoint): string {
  return JSON.stringify([
    e.addresses ?? [],
    e.conditions?.ready ?? null,
    e.conditions?.serving ?? null,
    e.conditions?.terminating ?? null,
    e.hostname ?? '',
    e.targetRef?.kind ?? '',
    e.targetRef?.namespace ?? '',
    e.targetRef?.name ?? '',
    e.targetRef?.uid ?? '',
    e.nodeName ?? '',
    e.zone ?? '',
  ]);
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ea = Object.entries(a ?? {}).sort();
  const eb = Object.entries(b).sort();
  return JSON.stringify(ea) === JSON.stringify(eb);
}

function newSlice(meta: SliceMeta, ports: EndpointPort[], endpoints: Endpoint[]): EndpointSlice {
  return EndpointSlice.fromPartial({
    metadata: { generateName: `${meta.serviceName}-`, namespace: meta.namespace, labels: { ...meta.labels }, ownerReferences: [meta.ownerReference] },
    addressType: meta.addressType,
    ports,
    endpoints,
  });
}

export function planSlices(meta: SliceMeta, existing: EndpointSlice[], desired: Desired): SlicePlan {
  const max = meta.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const remaining = new Map<string, Map<string, Endpoint>>();
  for (const [k, g] of desired.groups) remaining.set(k, new Map(g.endpoints));
  const kept: { original: EndpointSlice; endpoints: Endpoint[]; group: string }[] = [];

  for (const slice of existing) {
    const group = portsKey(slice.ports);
    const want = slice.addressType === meta.addressType ? remaining.get(group) : undefined;
    if (!want) {
      plan.delete.push(slice);
      continue;
    }
    const endpoints: Endpoint[] = [];
    for (const e of slice.endpoints ?? []) {
      const k = endpointKey(e);
      const next = want.get(k);
      if (next) {
        endpoints.push(next);
        want.delete(k);
      }
    }
    if (endpoints.length === 0) plan.delete.push(slice);
    else kept.push({ original: slice, endpoints, group });
  }

  for (const [group, want] of remaining) {
    const fresh = [...want.values()].sort((a, b) => compareIP(a.addresses[0] ?? '', b.addresses[0] ?? ''));
    for (const k of kept) {
      if (k.group !== group) continue;
      while (k.endpoints.length < max && fresh.length > 0) k.endpoints.push(fresh.shift()!);
    }
    const ports = desired.groups.get(group)!.ports;
    while (fresh.length > 0) plan.create.push(newSlice(meta, ports, fresh.splice(0, max)));
  }

  for (const k of kept) {
    const o = k.original;
    const changed =
      !sameLabels(o.metadata?.labels, meta.labels) ||
      (o.endpoints ?? []).length !== k.endpoints.length ||
      (o.endpoints ?? []).some((e, i) => canonicalEndpoint(e) !== canonicalEndpoint(k.endpoints[i]!));
    if (changed) plan.update.push({ ...o, metadata: { ...o.metadata!, labels: { ...meta.labels } }, endpoints: k.endpoints });
  }

  if (plan.create.length === 0 && plan.delete.length === existing.length) {
    const placeholder = plan.delete.find((s) => s.addressType === meta.addressType && (s.ports ?? []).length === 0 && (s.endpoints ?? []).length === 0);
    if (placeholder) {
      plan.delete = plan.delete.filter((s) => s !== placeholder);
      if (!sameLabels(placeholder.metadata?.labels, meta.labels)) plan.update.push({ ...placeholder, metadata: { ...placeholder.metadata!, labels: { ...meta.labels } } });
    } else {
      plan.create.push(newSlice(meta, [], []));
    }
  }
  return plan;
}
