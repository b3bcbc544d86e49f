/**
 * The endpointslice controller (upstream pkg/controller/endpointslice): keeps the EndpointSlices
 * of each Service with a selector — named `<service>-<random>`, labelled
 * `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
 * endpointslice-controller.k8s.io`, owned by the Service — in step with the pods it selects.
 * `default/kubernetes` (the API server's own) and ExternalName services are left alone; slices
 * of a deleted Service go with it through garbage collection.
 */
import type { Node } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { Service } from '../../../../gen/k8s/io/api/core/v1/service.js';
import type { EndpointSlice } from '../../../../gen/k8s/io/api/discovery/v1/generated.js';
import { isNotFound, keyOf, ownerReferenceTo, RateLimitingQueue, runWorkers, splitKey, type Informer } from '../../../client/index.js';
import type { ControllerContext } from '../context.js';
import { HEADLESS_LABEL, isHeadless, isKubernetesService, LAST_CHANGE_TRIGGER_TIME, selectorMatches, serviceIPFamily, servesPods } from '../endpoints/pod-endpoints.js';
import { serviceKeysFor } from '../endpoints/service-keys.js';
import { formatRFC3339Nano, TriggerTimeTracker } from '../endpoints/trigger-time.js';
import { desiredEndpoints } from './desired.js';
import { planSlices } from './plan.js';
import { EndpointSliceTracker } from './slice-tracker.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

/** The labels of a Service's slices: its own (but the reserved ones), the service name, the manager, headless. */
export function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata?.labels ?? {})) {
    if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL && k !== HEADLESS_LABEL) labels[k] = v;
  }
  labels[SERVICE_NAME_LABEL] = service.metadata?.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
  return labels;
}

export class EndpointSliceController {
  readonly queue = new RateLimitingQueue<string>();
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly tracker = new EndpointSliceTracker();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly maxEndpointsPerSlice = 100,
  ) {
    const cs = ctx.cs;
    this.services = ctx.informers.informerFor(cs.coreV1.services);
    this.pods = ctx.informers.informerFor(cs.coreV1.pods);
    this.nodes = ctx.informers.informerFor(cs.coreV1.nodes);
    this.slices = ctx.informers.informerFor(cs.discoveryV1.endpointSlices);
    const enqueue = (svc: Service): void => this.queue.add(keyOf(svc));
    this.services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    const forPods = (...pods: Pod[]): void => {
      for (const k of serviceKeysFor(this.services.lister(), ...pods)) this.queue.add(k);
    };
    this.pods.addEventHandler({ onAdd: (p) => forPods(p), onUpdate: (o, n) => forPods(o, n), onDelete: (p) => forPods(p) });
    const forSlice = (s: EndpointSlice): void => {
      const labels = s.metadata?.labels ?? {};
      if (labels[MANAGED_BY_LABEL] === CONTROLLER_NAME && labels[SERVICE_NAME_LABEL]) this.queue.add(`${s.metadata?.namespace}/${labels[SERVICE_NAME_LABEL]}`);
    };
    this.slices.addEventHandler({ onAdd: forSlice, onUpdate: (_o, n) => forSlice(n), onDelete: forSlice });
  }

  /** Waits for the caches, then runs `workers` workers until the context's signal aborts. */
  async run(workers: number): Promise<void> {
    const signal = this.ctx.signal;
    await Promise.all([this.services.waitForSync(signal), this.pods.waitForSync(signal), this.nodes.waitForSync(signal), this.slices.waitForSync(signal)]);
    await runWorkers(this.queue, workers, (key) => this.sync(key), this.ctx.signal, (key, err) => this.ctx.log(`endpointslices ${key}: ${String(err)}`));
  }

  async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    if (isKubernetesService(namespace, name)) return;
    const service = this.services.lister().get(namespace, name);
    if (!service) {
      this.triggerTimes.forget(key);
      this.tracker.forget(key);
      return;
    }
    if (!servesPods(service)) return;
    const existing = this.slices
      .lister()
      .list((l) => l[SERVICE_NAME_LABEL] === name && l[MANAGED_BY_LABEL] === CONTROLLER_NAME, namespace)
      .filter((s) => (s.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === service.metadata?.uid));
    if (this.tracker.stale(key, existing)) throw new Error(`EndpointSlice informer cache is out of date for ${key}`);

    const pods = this.pods.lister().list((l) => selectorMatches(service.spec?.selector, l), namespace);
    const family = serviceIPFamily(service);
    const desired = desiredEndpoints(service, pods, family, (n) => this.nodes.lister().get('', n));
    const triggerTime = this.triggerTimes.compute(key, service, pods);
    const plan = planSlices(
      { namespace, serviceName: name, addressType: family, labels: sliceLabels(service), ownerReference: ownerReferenceTo(this.ctx.cs.coreV1.services.facts, service), maxEndpointsPerSlice: this.maxEndpointsPerSlice },
      existing,
      desired,
    );
    const stamp = (s: EndpointSlice): EndpointSlice => {
      if (!triggerTime) return s;
      return { ...s, metadata: { ...s.metadata!, annotations: { ...(s.metadata?.annotations ?? {}), [LAST_CHANGE_TRIGGER_TIME]: formatRFC3339Nano(triggerTime) } } };
    };
    const slices = this.ctx.cs.discoveryV1.endpointSlices;
    for (const s of plan.create) this.tracker.wrote(key, await slices.create(stamp(s), { namespace }));
    for (const s of plan.update) this.tracker.wrote(key, await slices.update(stamp(s), { namespace }));
    for (const s of plan.delete) {
      try {
        await slices.delete(s.metadata?.name ?? '', { namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.tracker.deleted(key, s.metadata?.name ?? '');
    }
    if (desired.skipped.length > 0) throw new Error(`skipping Pods ${desired.skipped.join(', ')} for Service ${key}: Node not found`);
  }
}
