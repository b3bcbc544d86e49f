/**
 * The replica controller (upstream's ReplicaSetController, which also runs for
 * ReplicationControllers): keeps `spec.replicas` active pods matching the selector. Pods are
 * created from the template (in slow-start batches of 1, 2, 4, ... as upstream, at most 500
 * per sync), surplus pods are deleted in the ranking of pod-ranking.ts, orphans matching the
 * selector are adopted and controlled pods that stopped matching are released. Expectations
 * hold the next count back until the informer has seen this sync's creations and deletions.
 */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { ObjectReference } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import {
  controllerRef,
  keyOf,
  matchesLabelSelector,
  objectReference,
  ownerReferenceTo,
  RateLimitingQueue,
  runWorkers,
  splitKey,
  type EventRecorder,
  type Informer,
  type ResourceClient,
} from '../../../client/index.js';
import type { ControllerContext } from '../context.js';
import { claimChildren } from './claim.js';
import { reasonOf } from './errors.js';
import { ControllerExpectations } from './expectations.js';
import type { Replicated, ReplicatedKind } from './kinds.js';
import { PodControl } from './pod-control.js';
import { podsToDelete } from './pod-ranking.js';
import { hasDeletionTimestamp, isPodActive, isPodReady } from './pods.js';
import { calculateStatus, updateStatusIfChanged } from './status.js';

/** At most this many pods are created or deleted per sync (upstream's BurstReplicas). */
export const BURST_REPLICAS = 500;

/** The first batch of a slow-start round of creations (upstream's SlowStartInitialBatchSize). */
const SLOW_START_INITIAL_BATCH = 1;

export class ReplicaController<T extends Replicated> {
  readonly queue = new RateLimitingQueue<string>();
  readonly expectations = new ControllerExpectations();
  private readonly client: ResourceClient<T, { items: T[] }>;
  private readonly owners: Informer<T>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicatedKind<T>,
  ) {
    this.client = kind.client(ctx.cs);
    this.owners = ctx.informers.informerFor<T>(this.client);
    this.pods = ctx.informers.informerFor<Pod>(ctx.cs.coreV1.pods);
    this.recorder = ctx.recorder(kind.component);
    this.podControl = new PodControl(ctx.cs, this.recorder);
  }

  /** Registers the handlers and runs the workers until the context's signal aborts. */
  async run(workers = this.ctx.options.workers ?? 2): Promise<void> {
    this.owners.addEventHandler({
      onAdd: (obj) => this.queue.add(keyOf(obj)),
      onUpdate: (_old, obj) => this.queue.add(keyOf(obj)),
      onDelete: (obj) => {
        this.expectations.delete(keyOf(obj));
        this.queue.add(keyOf(obj));
      },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (oldPod, pod) => this.podUpdated(oldPod, pod),
      onDelete: (pod) => this.podDeleted(pod),
    });
    // Counting pods before the caches hold them would create pods that exist already.
    await Promise.all([this.owners.waitForSync(this.ctx.signal), this.pods.waitForSync(this.ctx.signal)]);
    await runWorkers(this.queue, workers, (key) => this.sync(key), this.ctx.signal, (key, err) => this.ctx.log(`${this.kind.name}: syncing ${key}: ${String(err)}`));
  }

  /** The controller named by a pod's controller reference, if it is one of ours and still the same object. */
  private resolve(namespace: string, ref: { kind?: string | undefined; name?: string | undefined; uid?: string | undefined } | undefined): T | undefined {
    if (!ref || ref.kind !== this.client.facts.kind) return undefined;
    const owner = this.owners.lister().get(namespace, ref.name ?? '');
    return owner && owner.metadata?.uid === ref.uid ? owner : undefined;
  }

  /** Controllers in the pod's namespace whose selector matches it (for orphans). */
  private matchingOwners(pod: Pod): T[] {
    const ns = pod.metadata?.namespace ?? '';
    return this.owners.lister().namespace(ns).list().filter((o) => matchesLabelSelector(this.kind.selector(o), pod.metadata?.labels ?? {}));
  }

  private podAdded(pod: Pod): void {
    if (hasDeletionTimestamp(pod)) return this.podDeleted(pod);
    const ns = pod.metadata?.namespace ?? '';
    const ref = controllerRef(pod);
    if (ref) {
      const owner = this.resolve(ns, ref);
      if (!owner) return;
      this.expectations.creationObserved(keyOf(owner));
      this.queue.add(keyOf(owner));
      return;
    }
    for (const owner of this.matchingOwners(pod)) this.queue.add(keyOf(owner));
  }

  private podUpdated(oldPod: Pod, pod: Pod): void {
    if (oldPod.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(oldPod.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {});
    if (hasDeletionTimestamp(pod)) {
      this.podDeleted(pod);
      if (labelsChanged) this.podDeleted(oldPod);
      return;
    }
    const ns = pod.metadata?.namespace ?? '';
    const ref = controllerRef(pod);
    const oldRef = controllerRef(oldPod);
    const refChanged = JSON.stringify(ref) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const old = this.resolve(ns, oldRef);
      if (old) this.queue.add(keyOf(old));
    }
    if (ref) {
      const owner = this.resolve(ns, ref);
      if (!owner) return;
      this.queue.add(keyOf(owner));
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (!isPodReady(oldPod) && isPodReady(pod) && minReady > 0) this.queue.addAfter(keyOf(owner), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const owner of this.matchingOwners(pod)) this.queue.add(keyOf(owner));
  }

  private podDeleted(pod: Pod): void {
    const owner = this.resolve(pod.metadata?.namespace ?? '', controllerRef(pod));
    if (!owner) return;
    this.expectations.deletionObserved(keyOf(owner), keyOf(pod));
    this.queue.add(keyOf(owner));
  }

  /** One sync of the controller `key`: claim pods, create or delete to the replica count, write the status. */
  async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const obj = this.owners.lister().get(namespace, name);
    if (!obj) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const active = this.pods.lister().namespace(namespace).list().filter(isPodActive);
    const pods = await this.claimPods(obj, active);
    let manageError: unknown;
    if (needsSync && !hasDeletionTimestamp(obj)) {
      try {
        await this.manageReplicas(obj, pods, active);
      } catch (err) {
        manageError = err;
      }
    }
    const status = calculateStatus(obj, pods, manageError);
    const updated = await updateStatusIfChanged(this.client, obj, status);
    const replicas = updated.spec?.replicas ?? 0;
    const minReady = updated.spec?.minReadySeconds ?? 0;
    if (manageError === undefined && minReady > 0 && updated.status?.readyReplicas === replicas && updated.status?.availableReplicas !== replicas) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageError !== undefined) throw manageError;
  }

  private claimPods(obj: T, active: Pod[]): Promise<Pod[]> {
    const ns = obj.metadata?.namespace ?? '';
    const pods = this.ctx.cs.coreV1.pods;
    return claimChildren(obj, active, {
      ownerRef: ownerReferenceTo(this.client.facts, obj),
      matches: (pod) => matchesLabelSelector(this.kind.selector(obj), pod.metadata?.labels ?? {}),
      adopt: (pod, patch) => pods.patch(pod.metadata?.name ?? '', 'strategic', patch, { namespace: ns }),
      release: (pod, patch) => pods.patch(pod.metadata?.name ?? '', 'strategic', patch, { namespace: ns }),
      fresh: () => this.client.get(obj.metadata?.name ?? '', { namespace: ns }),
    });
  }

  /** Creates or deletes pods so that `pods` (the active ones controlled) number spec.replicas. */
  private async manageReplicas(obj: T, pods: Pod[], active: Pod[]): Promise<void> {
    const key = keyOf(obj);
    const ns = obj.metadata?.namespace ?? '';
    const ref: ObjectReference = objectReference(this.client, obj);
    let diff = pods.length - (obj.spec?.replicas ?? 0);
    if (diff < 0) {
      diff = Math.min(-diff, BURST_REPLICAS);
      const template = obj.spec?.template;
      if (!template) throw new Error(`${this.client.facts.kind} ${key} has no pod template`);
      this.expectations.expectCreations(key, diff);
      const ownerRef = ownerReferenceTo(this.client.facts, obj);
      const created = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH, () =>
        this.podControl.createPod(ns, template, obj.metadata?.name ?? '', ownerRef, ref).then(
          () => undefined,
          (err: unknown) => {
            // A creation that failed will never be observed.
            this.expectations.creationObserved(key);
            throw err;
          },
        ),
      );
      // Creations skipped after a failed batch will never be observed either.
      for (let i = created.attempted; i < diff; i++) this.expectations.creationObserved(key);
      if (created.error !== undefined) throw created.error;
      return;
    }
    if (diff > 0) {
      diff = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, this.relatedPods(obj, active), diff);
      this.expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
      const results = await Promise.allSettled(
        victims.map((p) =>
          this.podControl.deletePod(ns, p.metadata?.name ?? '', ref).catch((err: unknown) => {
            this.expectations.deletionObserved(key, keyOf(p));
            if (reasonOf(err) !== 'NotFound') throw err;
          }),
        ),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  /**
   * Active pods of every controller sharing this one's owner (the ReplicaSets of one
   * Deployment), this one's included: the "doubled up on a node" rank counts them.
   */
  private relatedPods(obj: T, active: Pod[]): Pod[] {
    const owner = controllerRef(obj);
    const uids = new Set<string>([obj.metadata?.uid ?? '']);
    if (owner) {
      for (const sibling of this.owners.lister().namespace(obj.metadata?.namespace ?? '').list()) {
        if (controllerRef(sibling)?.uid === owner.uid) uids.add(sibling.metadata?.uid ?? '');
      }
    }
    return active.filter((p) => uids.has(controllerRef(p)?.uid ?? ''));
  }
}

/**
 * Runs `fn` `count` times in batches that double (1, 2, 4, ...), all of a batch at once,
 * stopping after a batch in which any call failed (upstream's slowStartBatch): a template the
 * server refuses costs one request, not `count`.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ attempted: number; succeeded: number; error?: unknown }> {
  let remaining = count;
  let succeeded = 0;
  let attempted = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    attempted += batch;
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    succeeded += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { attempted, succeeded, error: failed.reason };
    remaining -= batch;
  }
  return { attempted, succeeded };
}
