/**
 * What upstream's default-servicecidr and IPAddress repair controllers keep while the
 * server runs: the `kubernetes` ServiceCIDR is created again when someone deletes it, and
 * the IPAddress of a Service IP is written again when someone deletes it while its Service
 * still holds the IP (otherwise the next Service could be handed the same address). The
 * allocator's own frees happen after the Service is gone or has let the IP go, so they are
 * never undone here; a record written just as its Service goes is taken back at once.
 */
import type { Service } from '../../gen/kube/core-v1.js';
import { ApiError } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import { IP_MANAGED_BY, ipsOf, serviceIpRecord } from '../registry/core/service-allocator.js';
import type { ResourceStore } from '../registry/rest/resource-store.js';
import { bootstrapServiceCidr, DEFAULT_SERVICE_CIDR } from './bootstrap.js';
import { follow } from './serviceaccount-controller.js';

/** What the controller follows. */
export interface ServiceIpControllerOptions {
  services: ResourceStore;
  ipAddresses: ResourceStore;
  serviceCidrs?: ResourceStore;
  /** `--service-cluster-ip-range`, for the `kubernetes` ServiceCIDR. */
  cidr: string;
  signal: AbortSignal;
}

const isReason = (err: unknown, ...reasons: string[]): boolean => err instanceof ApiError && reasons.includes(err.reason);

interface ParentRef {
  group?: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

/** The Service holding `ip` by `ref`, if it still exists and holds it. */
async function holder(services: ResourceStore, ref: ParentRef, ip: string, uid?: string): Promise<Service | undefined> {
  const svc = (await services.get(ref.namespace, ref.name ?? '').catch((err: unknown) => {
    if (isReason(err, 'NotFound')) return undefined;
    throw err;
  })) as Service | undefined;
  if (!svc || (uid !== undefined && svc.metadata?.uid !== uid) || !ipsOf(svc).includes(ip)) return undefined;
  return svc;
}

/** Writes the record of a deleted Service IPAddress again if its Service still holds the IP. */
async function restore(services: ResourceStore, ipAddresses: ResourceStore, deleted: KubeObject): Promise<void> {
  const ip = deleted.metadata?.name ?? '';
  const ref = (deleted.spec as { parentRef?: ParentRef } | undefined)?.parentRef;
  if (!ip || !ref || ref.group || ref.resource !== 'services' || !ref.namespace || !ref.name) return;
  if (deleted.metadata?.labels?.[IP_MANAGED_BY[0]] !== IP_MANAGED_BY[1]) return;
  const svc = await holder(services, ref, ip);
  if (!svc) return;
  let created: KubeObject;
  try {
    created = await ipAddresses.create(undefined, serviceIpRecord(ip, svc), {});
  } catch (err) {
    // Someone took the address first (or it came back another way): nothing to restore.
    if (isReason(err, 'AlreadyExists')) return;
    throw err;
  }
  // The Service may have gone (and released its IPs) while the record was being written.
  if (!(await holder(services, ref, ip, svc.metadata?.uid))) {
    await ipAddresses.delete(undefined, ip, { preconditions: { uid: created.metadata?.uid ?? '' } }).catch((err: unknown) => {
      if (!isReason(err, 'NotFound', 'Conflict')) throw err;
    });
  }
}

/** Runs the controller until `signal` aborts. */
export function startServiceIpController(opts: ServiceIpControllerOptions): Promise<void> {
  const { services, ipAddresses, serviceCidrs, signal } = opts;
  const quietly = (work: () => Promise<void>): void => {
    if (!signal.aborted) void work().catch(() => undefined);
  };
  const watches = [
    follow(ipAddresses, signal, (type, _ns, _name, _terminating, object) => {
      if (type === 'DELETED') quietly(() => restore(services, ipAddresses, object));
    }),
  ];
  if (serviceCidrs) {
    watches.push(
      follow(serviceCidrs, signal, (type, _ns, name) => {
        if (type === 'DELETED' && name === DEFAULT_SERVICE_CIDR) quietly(() => bootstrapServiceCidr(serviceCidrs, opts.cidr));
      }),
    );
  }
  return Promise.all(watches).then(() => undefined);
}
