/**
 * The endpoints controller (upstream pkg/controller/endpoint): keeps an Endpoints object, named
 * as its Service, listing the addresses of the pods the Service selects. Services without a
 * selector, ExternalName services and `default/kubernetes` (the API server's own) are left
 * alone; a Service's deletion deletes its Endpoints.
 */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { Endpoints, type EndpointSubset, type Service } from '../../../../gen/k8s/io/api/core/v1/service.js';
import { isAlreadyExists, isConflict, isNotFound, keyOf, RateLimitingQueue, runWorkers, splitKey, type EventRecorder, type Informer } from '../../../client/index.js';
import type { ControllerContext } from '../context.js';
import { HEADLESS_LABEL, isHeadless, isKubernetesService, LAST_CHANGE_TRIGGER_TIME, selectorMatches, servesPods } from './pod-endpoints.js';
import { serviceKeysFor } from './service-keys.js';
import { desiredSubsets } from './subsets.js';
import { capacityAnnotationSetCorrectly, OVER_CAPACITY_ANNOTATION, truncateSubsets } from './truncate.js';
import { formatRFC3339Nano, TriggerTimeTracker } from './trigger-time.js';

/** Subsets in a comparable form (absent and empty fields alike). */
export function canonicalSubsets(subsets: EndpointSubset[] | undefined): string {
  return JSON.stringify(
    (subsets ?? []).map((s) => [
      ...[s.addresses ?? [], s.notReadyAddresses ?? []].map((list) =>
        list.map((a) => [a.ip ?? '', a.hostname ?? '', a.nodeName ?? '', a.targetRef?.kind ?? '', a.targetRef?.namespace ?? '', a.targetRef?.name ?? '', a.targetRef?.uid ?? '']),
      ),
      (s.ports ?? []).map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? '', p.appProtocol ?? '']),
    ]),
  );
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export class EndpointsController {
  readonly queue = new RateLimitingQueue<string>();
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    const cs = ctx.cs;
    this.recorder = ctx.recorder('endpoint-controller');
    this.services = ctx.informers.informerFor(cs.coreV1.services);
    this.pods = ctx.informers.informerFor(cs.coreV1.pods);
    this.endpoints = ctx.informers.informerFor(cs.coreV1.endpoints);
    const enqueue = (svc: Service): void => this.queue.add(keyOf(svc));
    this.services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    const forPods = (...pods: Pod[]): void => {
      for (const k of serviceKeysFor(this.services.lister(), ...pods)) this.queue.add(k);
    };
    this.pods.addEventHandler({ onAdd: (p) => forPods(p), onUpdate: (o, n) => forPods(o, n), onDelete: (p) => forPods(p) });
    this.endpoints.addEventHandler({ onDelete: (ep) => this.queue.add(keyOf(ep)) });
  }

  /** Waits for the caches, then runs `workers` workers until the context's signal aborts. */
  async run(workers: number): Promise<void> {
    const signal = this.ctx.signal;
    await Promise.all([this.services.waitForSync(signal), this.pods.waitForSync(signal), this.endpoints.waitForSync(signal)]);
    await runWorkers(this.queue, workers, (key) => this.sync(key), this.ctx.signal, (key, err) => this.ctx.log(`endpoints ${key}: ${String(err)}`));
  }

  async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    if (isKubernetesService(namespace, name)) return;
    const cs = this.ctx.cs;
    const service = this.services.lister().get(namespace, name);
    if (!service) {
      this.triggerTimes.forget(key);
      try {
        await cs.coreV1.endpoints.delete(name, { namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    if (!servesPods(service)) return;
    const pods = this.pods.lister().list((l) => selectorMatches(service.spec?.selector, l), namespace);
    const { subsets, truncated } = truncateSubsets(desiredSubsets(service, pods));
    const triggerTime = this.triggerTimes.compute(key, service, pods);
    const current = this.endpoints.lister().get(namespace, name);

    const serviceLabels = { ...(service.metadata?.labels ?? {}) };
    if (current) {
      const compare = { ...(current.metadata?.labels ?? {}) };
      delete compare[HEADLESS_LABEL];
      const compareService = { ...serviceLabels };
      delete compareService[HEADLESS_LABEL];
      const capacityOk = capacityAnnotationSetCorrectly(current.metadata?.annotations, current.subsets ?? []);
      if (canonicalSubsets(current.subsets) === canonicalSubsets(subsets) && sameLabels(compare, compareService) && capacityOk) return;
    }
    const labels = serviceLabels;
    if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    const annotations = { ...(current?.metadata?.annotations ?? {}) };
    if (triggerTime) annotations[LAST_CHANGE_TRIGGER_TIME] = formatRFC3339Nano(triggerTime);
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    const next = Endpoints.fromPartial({ metadata: { ...(current?.metadata ?? { name, namespace }), labels, annotations }, subsets });
    const ref = { kind: 'Endpoints', apiVersion: 'v1', namespace, name, uid: current?.metadata?.uid };
    try {
      if (current) await cs.coreV1.endpoints.update(next, { namespace });
      else await cs.coreV1.endpoints.create(next, { namespace });
    } catch (err) {
      // A stale cache (Conflict, AlreadyExists) is retried without an event.
      if (isConflict(err) || isAlreadyExists(err)) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      if (current) void this.recorder.event(ref, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${msg}`);
      else void this.recorder.event(ref, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${msg}`);
      throw err;
    }
  }
}
