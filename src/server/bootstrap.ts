/** Objects every cluster has from its first start. */
import { isIP } from 'node:net';
import { ApiError } from '../machinery/errors/index.js';
import { type KubeObject, nowRfc3339 } from '../machinery/meta/object.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from '../registry/rbac/bootstrap-policy.js';
import { SYSTEM_PRIORITY_CLASSES } from '../registry/scheduling/priorityclasses.js';

/** The namespaces kube-apiserver creates on start. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates the system namespaces if they are missing (idempotent across restarts). */
export async function bootstrapNamespaces(namespaces: ResourceStore): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await namespaces.create(undefined, { metadata: { name } }, {});
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

/** Creates upstream's system PriorityClasses if they are missing (idempotent across restarts). */
export async function bootstrapPriorityClasses(priorityClasses: ResourceStore): Promise<void> {
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    try {
      await priorityClasses.create(undefined, structuredClone(pc) as Record<string, unknown>, {});
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

/** The default ServiceCIDR's name, as upstream's default-servicecidr controller calls it. */
export const DEFAULT_SERVICE_CIDR = 'kubernetes';

/**
 * The `kubernetes` ServiceCIDR from `--service-cluster-ip-range`, as upstream's
 * default-servicecidr controller keeps it: created when missing, and marked Ready when its
 * CIDRs are the flag's and no Ready condition says otherwise. One whose CIDRs differ from
 * the flag (the flag changed across restarts) is left as it is.
 */
export async function bootstrapServiceCidr(serviceCidrs: ResourceStore, cidr: string): Promise<void> {
  const cidrs = [cidr];
  let current = await serviceCidrs.get(undefined, DEFAULT_SERVICE_CIDR).catch((err: unknown) => {
    if (isReason(err, 'NotFound')) return undefined;
    throw err;
  });
  if (!current) {
    try {
      current = await serviceCidrs.create(undefined, { metadata: { name: DEFAULT_SERVICE_CIDR }, spec: { cidrs } }, {});
    } catch (err) {
      if (!isReason(err, 'AlreadyExists')) throw err;
      current = await serviceCidrs.get(undefined, DEFAULT_SERVICE_CIDR);
    }
  }
  if (current.metadata?.deletionTimestamp) return;
  if (JSON.stringify((current.spec as { cidrs?: string[] } | undefined)?.cidrs ?? []) !== JSON.stringify(cidrs)) return;
  const conditions = ((current.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? []);
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'Unknown') return;
  const condition = { type: 'Ready', status: 'True', lastTransitionTime: nowRfc3339(), reason: '', message: 'Kubernetes default Service CIDR is ready' };
  await serviceCidrs.update(
    undefined,
    DEFAULT_SERVICE_CIDR,
    (cur) => {
      const kept = ((cur.status as { conditions?: { type?: string }[] } | undefined)?.conditions ?? []).filter((c) => c.type !== 'Ready');
      return { ...cur, status: { ...(cur.status as object | undefined), conditions: [...kept, condition] } };
    },
    { target: 'status' },
  );
}

/** Where clients in the cluster reach this server: the bind address, or loopback when it binds every address. */
export function advertisedAddress(bindAddress: string): string {
  if (isIP(bindAddress) === 0 || bindAddress === '0.0.0.0' || bindAddress === '::') return '127.0.0.1';
  return bindAddress;
}

/** What the `default/kubernetes` Service and its Endpoints name. */
export interface KubernetesServiceTarget {
  /** The first address of the service cluster IP range. */
  clusterIp: string;
  /** This server's address and HTTP port. */
  address: string;
  port: number;
}

const isReason = (err: unknown, reason: string): boolean => err instanceof ApiError && err.reason === reason;

/**
 * The `default/kubernetes` Service (443 → this server's port, the range's first address)
 * and its Endpoints and EndpointSlice naming this server, as upstream's controller and
 * endpoints reconciler keep them: created when missing, the ports and addresses set again
 * on every start (the port may have changed).
 */
export async function reconcileKubernetesService(
  services: ResourceStore,
  endpoints: ResourceStore,
  target: KubernetesServiceTarget,
  endpointSlices?: ResourceStore,
): Promise<void> {
  const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: target.port }];
  const service: KubeObject = {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: target.clusterIp,
      clusterIPs: [target.clusterIp],
      ports,
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
  };
  // Looked up first: a create of a stored Service with its own IP would be refused as taken.
  const existing = await services.get('default', 'kubernetes').catch((err: unknown) => {
    if (isReason(err, 'NotFound')) return undefined;
    throw err;
  });
  if (!existing) await services.create('default', service, {});
  else await services.update('default', 'kubernetes', (cur) => ({ ...cur, spec: { ...(cur.spec as object), ports } }), { target: 'main' });
  const subsets = [{ addresses: [{ ip: target.address }], ports: [{ name: 'https', port: target.port, protocol: 'TCP' }] }];
  const labels = { 'endpointslice.kubernetes.io/skip-mirror': 'true' };
  try {
    await endpoints.create('default', { metadata: { name: 'kubernetes', namespace: 'default', labels }, subsets }, {});
  } catch (err) {
    if (!isReason(err, 'AlreadyExists')) throw err;
    await endpoints.update('default', 'kubernetes', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata?.labels, ...labels } }, subsets }), {
      target: 'main',
    });
  }
  if (endpointSlices) await reconcileKubernetesEndpointSlice(endpointSlices, target);
}

/**
 * The `default/kubernetes` EndpointSlice, as upstream's endpoints adapter writes it beside
 * the Endpoints: named after the Service, labelled with it only, one ready endpoint per
 * server address, the `https` port. Labels, endpoints and ports are set again on every start.
 */
async function reconcileKubernetesEndpointSlice(endpointSlices: ResourceStore, target: KubernetesServiceTarget): Promise<void> {
  const fields = {
    addressType: isIP(target.address) === 6 ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [target.address], conditions: { ready: true } }],
    ports: [{ name: 'https', port: target.port, protocol: 'TCP' }],
  };
  const labels = { 'kubernetes.io/service-name': 'kubernetes' };
  try {
    await endpointSlices.create('default', { metadata: { name: 'kubernetes', namespace: 'default', labels }, ...fields }, {});
  } catch (err) {
    if (!isReason(err, 'AlreadyExists')) throw err;
    await endpointSlices.update('default', 'kubernetes', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels }, ...fields }), { target: 'main' });
  }
}

/**
 * Creates upstream's bootstrap ClusterRoles and ClusterRoleBindings that are missing (as
 * kube-apiserver's rbac/bootstrap-roles hook). Existing ones are left as they are, so an
 * administrator's edits survive restarts.
 */
export async function bootstrapRbac(clusterRoles: ResourceStore, clusterRoleBindings: ResourceStore): Promise<void> {
  for (const [store, objects] of [
    [clusterRoles, BOOTSTRAP_CLUSTER_ROLES],
    [clusterRoleBindings, BOOTSTRAP_CLUSTER_ROLE_BINDINGS],
  ] as const) {
    for (const obj of objects) {
      try {
        await store.create(undefined, structuredClone(obj) as KubeObject, {});
      } catch (err) {
        if (!isReason(err, 'AlreadyExists')) throw err;
      }
    }
  }
}
