/** Objects every cluster has from its first start. */
import { isIP } from 'node:net';
import { ApiError } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
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
 * and its Endpoints naming this server, as upstream's controller keeps them: created when
 * missing, the ports and addresses set again on every start (the port may have changed).
 */
export async function reconcileKubernetesService(services: ResourceStore, endpoints: ResourceStore, target: KubernetesServiceTarget): Promise<void> {
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
}
