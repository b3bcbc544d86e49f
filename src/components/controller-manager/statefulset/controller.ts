/**
 * The StatefulSet controller (upstream pkg/controller/statefulset): watches StatefulSets, their
 * pods and ControllerRevisions, and for each set key claims its pods and revisions, settles the
 * current and update revisions, runs one update pass, writes the status and prunes old revisions.
 */
import type { StatefulSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import {
  keyOf,
  matchesLabelSelector,
  ownerReferenceTo,
  RateLimitingQueue,
  runWorkers,
  splitKey,
  StatusError,
} from '../../../client/index.js';
import type { ControllerContext } from '../context.js';
import { claimObjects, controllerOf } from '../podutil/ownership.js';
import { msUntilAvailable } from '../podutil/readiness.js';
import { statefulSetRevisions, truncateHistory } from './history.js';
import { isMemberOf } from './identity.js';
import { StatefulPodControl } from './pod-control.js';
import { computeStatus, statusChanged } from './status.js';
import { updateStatefulSetPods } from './update.js';

/** Starts the controller; it runs until ctx.signal aborts. */
export function startStatefulSetController(ctx: ControllerContext): void {
  const { cs, signal } = ctx;
  const sets = ctx.informers.informerFor(cs.appsV1.statefulSets);
  const pods = ctx.informers.informerFor(cs.coreV1.pods);
  const revisions = ctx.informers.informerFor(cs.appsV1.controllerRevisions);
  const control = new StatefulPodControl(cs, ctx.recorder('statefulset-controller'));
  const queue = new RateLimitingQueue<string>();
  const workers = ctx.options.workers ?? 2;
  const clock = () => new Date(ctx.options.now?.() ?? Date.now());
  signal.addEventListener('abort', () => queue.shutDown(), { once: true });

  const enqueueSet = (set: StatefulSet) => queue.add(keyOf(set));
  /** A pod's controller, or for an orphan every set whose selector matches it (to adopt it). */
  const enqueueForPod = (pod: Pod) => {
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.kind === 'StatefulSet') queue.add(`${pod.metadata?.namespace ?? ''}/${ref.name ?? ''}`);
      return;
    }
    for (const set of sets.lister().list()) {
      if (set.metadata?.namespace !== pod.metadata?.namespace) continue;
      if (matchesLabelSelector(set.spec?.selector, pod.metadata?.labels) && isMemberOf(set, pod)) enqueueSet(set);
    }
  };

  sets.addEventHandler({ onAdd: enqueueSet, onUpdate: (_o, n) => enqueueSet(n), onDelete: enqueueSet });
  pods.addEventHandler({
    onAdd: enqueueForPod,
    onUpdate: (o, n) => {
      const before = controllerOf(o);
      if (before && before.uid !== controllerOf(n)?.uid && before.kind === 'StatefulSet') {
        queue.add(`${o.metadata?.namespace ?? ''}/${before.name ?? ''}`);
      }
      enqueueForPod(n);
    },
    onDelete: enqueueForPod,
  });
  revisions.addEventHandler({
    onAdd: () => undefined,
    onUpdate: () => undefined,
    onDelete: (r) => {
      const ref = controllerOf(r);
      if (ref?.kind === 'StatefulSet') queue.add(`${r.metadata?.namespace ?? ''}/${ref.name ?? ''}`);
    },
  });

  const sync = async (key: string): Promise<void> => {
    const [namespace, name] = splitKey(key);
    const cached = sets.lister().get(namespace, name);
    if (!cached) return;
    const set = cached;
    const owner = ownerReferenceTo(cs.appsV1.statefulSets.facts, set);
    const selector = set.spec?.selector;
    const inNamespace = <T extends { metadata?: { namespace?: string | undefined } | undefined }>(list: T[]) =>
      list.filter((o) => o.metadata?.namespace === namespace);

    const ownedPods = await claimObjects(cs.coreV1.pods, set, owner, selector, inNamespace(pods.lister().list()), (p) => isMemberOf(set, p));
    const ownedRevisions = await claimObjects(cs.appsV1.controllerRevisions, set, owner, selector, inNamespace(revisions.lister().list()));

    const { currentRevision, updateRevision, collisionCount } = await statefulSetRevisions(cs, set, ownedRevisions, owner);
    const outcome = await updateStatefulSetPods({ set, pods: ownedPods, currentRevision, updateRevision, owner, control, now: clock() });

    // Status from the pods as the cache now sees them (this pass's writes arrive as events).
    const latestPods = inNamespace(pods.lister().list()).filter((p) => controllerOf(p)?.uid === set.metadata?.uid);
    const status = computeStatus(
      set,
      latestPods,
      currentRevision.metadata?.name ?? '',
      updateRevision.metadata?.name ?? '',
      collisionCount,
      clock(),
    );
    if (statusChanged(set.status, status)) {
      try {
        await cs.appsV1.statefulSets.updateStatus({ ...set, status });
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'NotFound') return;
        throw err;
      }
    }
    const allRevisions = ownedRevisions.some((r) => r.metadata?.name === updateRevision.metadata?.name)
      ? ownedRevisions
      : [...ownedRevisions, updateRevision];
    await truncateHistory(cs, set, allRevisions, latestPods, status.currentRevision ?? '', status.updateRevision ?? '');
    // Look again when a ready pod becomes available (availableReplicas counts it then).
    const minReady = set.spec?.minReadySeconds ?? 0;
    const waits = minReady > 0 ? latestPods.map((p) => msUntilAvailable(p, minReady, clock())).filter((ms) => ms > 0) : [];
    if (waits.length > 0) queue.addAfter(key, Math.min(...waits) + 50);
    if (outcome.requeueAfterMs !== undefined) queue.addAfter(key, outcome.requeueAfterMs);
  };

  void (async () => {
    await ctx.informers.waitForCacheSync(signal);
    await runWorkers(queue, workers, sync, signal);
  })().catch((err: unknown) => {
    if (!signal.aborted) ctx.log(`statefulset controller stopped: ${(err as Error).message}`);
  });
}
