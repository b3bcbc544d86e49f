/**
 * The scheduler: informers on Pods, Nodes and Namespaces feed the cache (bound pods, nodes) and
 * the scheduling queue (unbound pods this scheduler is responsible for). One loop pops a pod,
 * finds it a node (algorithm.ts), assumes it there and binds it in the background through the
 * pods/binding action; a pod that fits nowhere gets a FailedScheduling Event, the
 * PodScheduled=False condition (reason Unschedulable) and waits in the queue for a cluster event
 * or its backoff.
 */
import type { Namespace } from '../../../gen/k8s/io/api/core/v1/namespace.js';
import type { Node } from '../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../gen/k8s/io/api/core/v1/pod.js';
import { Binding } from '../../../gen/k8s/io/api/core/v1/binding.js';
import {
  EventRecorder,
  isConflict,
  isNotFound,
  keyOf,
  objectReference,
  SharedInformerFactory,
  type Clientset,
  type Informer,
} from '../../client/index.js';
import { cycleStateFor, schedulePod } from './algorithm.js';
import { isTerminal, SchedulerCache } from './cache.js';
import { ERR_NO_NODES_AVAILABLE, fitErrorMessage } from './fit-error.js';
import { withPodScheduledCondition } from './pod-condition.js';
import { SchedulingQueue, type QueuedPod } from './queue.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  /** The `spec.schedulerName` this scheduler serves (default `default-scheduler`). */
  schedulerName?: string;
  /** Backoff of a pod that failed: initial (1s) and maximum (10s), as upstream's defaults. */
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  log?(msg: string): void;
}

function priorityOf(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

function isGated(pod: Pod): boolean {
  return (pod.spec?.schedulingGates ?? []).length > 0;
}

/** What of a pending pod can change whether it fits: its spec and labels (not its status). */
function schedulingInputs(pod: Pod): string {
  return JSON.stringify([pod.spec, pod.metadata?.labels ?? {}]);
}

/** What of a node can change whether pods fit it. */
function nodeInputs(node: Node): string {
  return JSON.stringify([node.metadata?.labels ?? {}, node.spec?.taints ?? [], node.spec?.unschedulable ?? false, node.status?.allocatable ?? {}]);
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly name: string;
  private readonly recorder: EventRecorder;
  private readonly factory: SharedInformerFactory;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly namespaces: Informer<Namespace>;
  private readonly binding = new Set<Promise<void>>();
  private readonly log: (msg: string) => void;

  constructor(
    private readonly cs: Clientset,
    options: SchedulerOptions = {},
  ) {
    this.name = options.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.log = options.log ?? (() => {});
    this.queue = new SchedulingQueue({ initialBackoffMs: options.podInitialBackoffMs, maxBackoffMs: options.podMaxBackoffMs });
    this.recorder = new EventRecorder(cs, { component: this.name, onError: (err) => this.log(`event: ${String(err)}`) });
    this.factory = new SharedInformerFactory(cs, { resyncPeriodMs: 0, onError: (err) => this.log(`informer: ${String(err)}`) });
    this.pods = this.factory.informerFor(cs.coreV1.pods);
    this.nodes = this.factory.informerFor(cs.coreV1.nodes);
    this.namespaces = this.factory.informerFor(cs.coreV1.namespaces);
    this.nodes.addEventHandler({
      onAdd: (n) => {
        this.cache.setNode(n);
        this.queue.moveAllToActiveOrBackoff();
      },
      onUpdate: (o, n) => {
        this.cache.setNode(n);
        if (nodeInputs(o) !== nodeInputs(n)) this.queue.moveAllToActiveOrBackoff();
      },
      onDelete: (n) => this.cache.removeNode(n.metadata?.name ?? ''),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (o, p) => this.podUpdated(o, p),
      onDelete: (p) => this.podDeleted(p),
    });
  }

  /** Whether this scheduler places `pod`. */
  responsibleFor(pod: Pod): boolean {
    return (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === this.name;
  }

  private pending(pod: Pod): boolean {
    return !pod.spec?.nodeName && this.responsibleFor(pod) && !isTerminal(pod) && !pod.metadata?.deletionTimestamp && !isGated(pod);
  }

  private podAdded(pod: Pod): void {
    const key = keyOf(pod);
    if (pod.spec?.nodeName) this.cache.setPod(key, pod);
    else if (this.pending(pod)) this.queue.add(key, priorityOf(pod));
  }

  private podUpdated(old: Pod, pod: Pod): void {
    const key = keyOf(pod);
    if (pod.spec?.nodeName) {
      this.queue.delete(key);
      this.cache.setPod(key, pod);
      if (old.spec?.nodeName && !isTerminal(old) && isTerminal(pod)) this.queue.moveAllToActiveOrBackoff();
      return;
    }
    if (!this.pending(pod)) {
      this.queue.delete(key);
      return;
    }
    if (schedulingInputs(old) !== schedulingInputs(pod)) this.queue.update(key, priorityOf(pod));
    else this.queue.add(key, priorityOf(pod));
  }

  private podDeleted(pod: Pod): void {
    const key = keyOf(pod);
    this.queue.delete(key);
    const counted = (pod.spec?.nodeName && !isTerminal(pod)) || this.cache.isAssumed(key);
    this.cache.removePod(key);
    if (counted) this.queue.moveAllToActiveOrBackoff();
  }

  /** Runs until `signal` aborts; resolves once in-flight bindings have finished. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = (): void => this.queue.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      this.factory.start(signal);
      await this.factory.waitForCacheSync(signal);
      for (;;) {
        const next = await this.queue.pop();
        if (!next) break;
        try {
          this.scheduleOne(next);
        } catch (err) {
          this.log(`scheduling ${next.key}: ${String(err)}`);
          this.queue.requeueFailed(next, true);
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      signal.removeEventListener('abort', stop);
      this.queue.close();
      await Promise.allSettled([...this.binding]);
    }
  }

  /** One scheduling cycle for a popped pod. */
  scheduleOne(item: QueuedPod): void {
    const pod = this.pods.store.get(item.key);
    if (!pod || !this.pending(pod) || this.cache.isAssumed(item.key)) {
      this.queue.done(item.key);
      return;
    }
    const state = cycleStateFor(pod, this.cache.nodeInfos(), (ns) => this.namespaces.store.get(ns)?.metadata?.labels);
    const result = schedulePod(state);
    if ('nodeName' in result) {
      this.cache.assume(item.key, pod, result.nodeName);
      const p = this.bind(item, pod, result.nodeName).finally(() => this.binding.delete(p));
      this.binding.add(p);
      return;
    }
    const message = 'noNodes' in result ? ERR_NO_NODES_AVAILABLE : fitErrorMessage(pod, result.fitError);
    this.failed(item, pod, 'Unschedulable', message, false);
  }

  private async bind(item: QueuedPod, pod: Pod, nodeName: string): Promise<void> {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    try {
      await this.cs.coreV1.pods.createBinding(
        name,
        Binding.fromPartial({ metadata: { name, namespace, uid: pod.metadata?.uid }, target: { kind: 'Node', name: nodeName } }),
        { namespace },
      );
    } catch (err) {
      this.cache.forget(item.key);
      if (isNotFound(err)) {
        this.queue.done(item.key);
        return;
      }
      this.log(`binding ${item.key} to ${nodeName}: ${String(err)}`);
      this.failed(item, pod, 'SchedulerError', `Binding rejected: ${err instanceof Error ? err.message : String(err)}`, true);
      return;
    }
    this.queue.done(item.key);
    void this.recorder.event(objectReference(this.cs.coreV1.pods, pod), 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
  }

  /** Requeues a pod that was not placed, records FailedScheduling and sets PodScheduled=False. */
  private failed(item: QueuedPod, pod: Pod, reason: string, message: string, retryable: boolean): void {
    this.queue.requeueFailed(item, retryable);
    void this.recorder.event(objectReference(this.cs.coreV1.pods, pod), 'Warning', 'FailedScheduling', message);
    void this.setUnscheduledCondition(item.key, reason, message).catch((err) => this.log(`status of ${item.key}: ${String(err)}`));
  }

  private async setUnscheduledCondition(key: string, reason: string, message: string): Promise<void> {
    let pod = this.pods.store.get(key);
    for (let attempt = 0; attempt < 5 && pod; attempt++) {
      if (pod.spec?.nodeName) return;
      const next = withPodScheduledCondition(pod, 'False', reason, message);
      if (!next) return;
      try {
        await this.cs.coreV1.pods.updateStatus(next);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        pod = await this.cs.coreV1.pods.get(pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace });
      }
    }
  }
}
