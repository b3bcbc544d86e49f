/**
 * What upstream's service-cidr-controller (kube-controller-manager) keeps, run in-process:
 * every ServiceCIDR carries the `networking.k8s.io/service-cidr-finalizer` and a Ready
 * condition; a ServiceCIDR being deleted keeps its finalizer, Ready=False with reason
 * Terminating, while an allocated Service IP would be left outside every other ServiceCIDR,
 * and loses it once none would (another ServiceCIDR holding its whole range releases it at
 * once), after a grace period that lets allocators see the deletion first.
 *
 * Writes go through the server's own API (the loopback client), as upstream's controller
 * writes through a client: the finalizer by an update conditional on resourceVersion, the
 * condition by a forced server-side apply to `/status` under the controller's name.
 */
import type { IPAddress, ServiceCIDR } from '../../gen/kube/networking-v1.js';
import { ApiError } from '../machinery/errors/index.js';
import type { KubeObject } from '../machinery/meta/object.js';
import { cidrContains, parseAddressRange, parseCidr, type ParsedCidr } from '../machinery/validation/ip.js';
import { IP_MANAGED_BY } from '../registry/core/service-allocator.js';
import { followLoopback, type LoopbackResource } from './loopback-client.js';
import { DEFAULT_SERVICE_CIDR } from './bootstrap.js';

export const SERVICE_CIDR_FINALIZER = 'networking.k8s.io/service-cidr-finalizer';
const CONTROLLER = 'service-cidr-controller';
const TERMINATING_MESSAGE = 'There are still IPAddresses referencing the ServiceCIDR, please remove them or create a new ServiceCIDR';
const READY_MESSAGE = 'Kubernetes Service CIDR is ready';
/** Upstream's deletionGracePeriod. */
export const DELETION_GRACE_MS = 10_000;

export interface ServiceCidrControllerOptions {
  serviceCidrs: LoopbackResource;
  ipAddresses: LoopbackResource;
  signal: AbortSignal;
  /** How long after its deletionTimestamp a releasable ServiceCIDR keeps its finalizer. */
  graceMs?: number;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

const isReason = (err: unknown, ...reasons: string[]): boolean => err instanceof ApiError && reasons.includes(err.reason);
const rangesOf = (cidr: ServiceCIDR): ParsedCidr[] => (cidr.spec?.cidrs ?? []).map(parseCidr).filter((p): p is ParsedCidr => p !== undefined);

/**
 * Whether deleting `target` leaves no allocated Service IP outside every ServiceCIDR: each of
 * its ranges is held by another ServiceCIDR, or no allocator-managed IPAddress falls only in it.
 */
export function canRelease(target: ServiceCIDR, all: ServiceCIDR[], ips: IPAddress[]): boolean {
  const name = target.metadata?.name;
  const others = all.filter((c) => c.metadata?.name !== name);
  const ranges = rangesOf(target);
  if (ranges.every((r) => others.some((o) => rangesOf(o).some((or) => cidrContains(or, r))))) return true;
  for (const ip of ips) {
    if (ip.metadata?.labels?.[IP_MANAGED_BY[0]] !== IP_MANAGED_BY[1]) continue;
    const address = parseAddressRange(ip.metadata?.name ?? '');
    if (!address || !ranges.some((r) => cidrContains(r, address))) continue;
    if (!others.some((o) => rangesOf(o).some((or) => cidrContains(or, address)))) return false;
  }
  return true;
}

/** Runs the controller until `signal` aborts. */
export function startServiceCidrController(opts: ServiceCidrControllerOptions): Promise<void> {
  const { serviceCidrs, ipAddresses, signal } = opts;
  const grace = opts.graceMs ?? DELETION_GRACE_MS;
  const timers = new Set<NodeJS.Timeout>();
  let running = Promise.resolve();
  let queued = false;

  const setCondition = async (cidr: ServiceCIDR, want: Condition): Promise<void> => {
    const have = (cidr.status?.conditions ?? []).find((c) => c.type === 'Ready') as Condition | undefined;
    if (have && have.status === want.status && (have.reason ?? '') === (want.reason ?? '') && have.message === want.message) return;
    const condition = { ...want, reason: want.reason ?? '', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    const patch = { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: cidr.metadata?.name }, status: { conditions: [condition] } };
    await serviceCidrs.apply(cidr.metadata?.name ?? '', patch as KubeObject, CONTROLLER, 'status');
  };

  const setFinalizer = async (cidr: ServiceCIDR, present: boolean): Promise<void> => {
    const finalizers = cidr.metadata?.finalizers ?? [];
    if (finalizers.includes(SERVICE_CIDR_FINALIZER) === present) return;
    const next = present ? [...finalizers, SERVICE_CIDR_FINALIZER] : finalizers.filter((f) => f !== SERVICE_CIDR_FINALIZER);
    // Conditional on the resourceVersion read: a concurrent change makes this a Conflict, and its own event a new pass.
    await serviceCidrs.update({ ...cidr, metadata: { ...cidr.metadata, finalizers: next } } as KubeObject, CONTROLLER);
  };

  const sync = async (): Promise<void> => {
    const all = (await serviceCidrs.list()) as ServiceCIDR[];
    let ips: IPAddress[] | undefined;
    for (const cidr of all) {
      try {
        const deleting = cidr.metadata?.deletionTimestamp;
        if (!deleting) {
          await setFinalizer(cidr, true);
          // The default ServiceCIDR's Ready condition is the bootstrap's (upstream's default-servicecidr controller).
          if (cidr.metadata?.name !== DEFAULT_SERVICE_CIDR) await setCondition(cidr, { type: 'Ready', status: 'True', message: READY_MESSAGE });
          continue;
        }
        if (!(cidr.metadata?.finalizers ?? []).includes(SERVICE_CIDR_FINALIZER)) continue;
        ips ??= (await ipAddresses.list()) as IPAddress[];
        if (!canRelease(cidr, all, ips)) {
          await setCondition(cidr, { type: 'Ready', status: 'False', reason: 'Terminating', message: TERMINATING_MESSAGE });
          continue;
        }
        const wait = grace - (Date.now() - Date.parse(String(deleting)));
        if (wait > 0) {
          later(wait);
          continue;
        }
        await setFinalizer(cidr, false);
      } catch (err) {
        // Gone or changed meanwhile: the watch brings the next state.
        if (!isReason(err, 'NotFound', 'Conflict')) throw err;
      }
    }
  };

  /** One pass at a time; events during a pass ask for one more. */
  const schedule = (): void => {
    if (signal.aborted || queued) return;
    queued = true;
    running = running.then(async () => {
      queued = false;
      if (!signal.aborted) await sync().catch(() => undefined);
    });
  };
  const later = (ms: number): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      schedule();
    }, ms + 50);
    timers.add(t);
  };
  signal.addEventListener('abort', () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  });

  return Promise.all([
    followLoopback(serviceCidrs, signal, schedule),
    // A freed IP may release a terminating ServiceCIDR.
    followLoopback(ipAddresses, signal, (type) => {
      if (type === 'DELETED') schedule();
    }),
  ]).then(() => running);
}
