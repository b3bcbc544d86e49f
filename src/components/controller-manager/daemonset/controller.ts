/**
 * The DaemonSet controller (upstream pkg/controller/daemon): watches DaemonSets, their pods,
 * ControllerRevisions and Nodes; for each DaemonSet key it claims pods and revisions, settles the
 * current revision, creates and deletes pods node by node, runs the RollingUpdate (OnDelete
 * replaces nothing), prunes old revisions and writes the status.
 */
import type { DaemonSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import {
  keyOf,
  matchesLabelSelector,
  objectReference,
  ownerReferenceTo,
  RateLimitingQueue,
  runWorkers,
  splitKey,
  StatusError,
} from '../../../client/index.js';
import type { ControllerContext } from '../context.js';
import { POD_REVISION_HASH_LABEL } from '../history/revisions.js';
import { claimObjects, controllerOf } from '../podutil/ownership.js';
import { msUntilAvailable } from '../podutil/readiness.js';
import { cleanupHistory, constructHistory, HashCollisionError } from './history.js';
import { manageDecisions } from './manage.js';
import { podsByNode } from './node-pods.js';
import { PodExpectations } from './expectations.js';
import { DaemonPodControl } from './pod-control.js';
import { daemonPodTemplate } from './pod-template.js';
import { planRollingUpdate } from './rolling-update.js';
import { computeDaemonSetStatus, daemonStatusChanged } from './status.js';

/** Starts the controller; it runs until ctx.signal aborts. */
export function startDaemonSetController(ctx: ControllerContext): void {
  const { cs, signal } = ctx;
  const sets = ctx.informers.informerFor(cs.appsV1.daemonSets);
  const pods = ctx.informers.informerFor(cs.coreV1.pods);
  const nodes = ctx.informers.informerFor(cs.coreV1.nodes);
  const revisions = ctx.informers.informerFor(cs.appsV1.controllerRevisions);
  const recorder = ctx.recorder('daemonset-controller');
  const control = new DaemonPodControl(cs, recorder);
  const queue = new RateLimitingQueue<string>();
  const workers = ctx.options.workers ?? 2;
  const clock = () => new Date(ctx.options.now?.() ?? Date.now());
  const expectations = new PodExpectations();
  signal.addEventListener('abort', () => queue.shutDown(), { once: true });

  const enqueue = (ds: DaemonSet) => queue.add(keyOf(ds));
  const enqueueAll = () => {
    for (const ds of sets.lister().list()) enqueue(ds);
  };
  const enqueueForPod = (pod: Pod) => {
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.kind === 'DaemonSet') queue.add(`${pod.metadata?.namespace ?? ''}/${ref.name ?? ''}`);
      return;
    }
    for (const ds of sets.lister().list()) {
      if (ds.metadata?.namespace === pod.metadata?.namespace && matchesLabelSelector(ds.spec?.selector, pod.metadata?.labels)) enqueue(ds);
    }
  };

  sets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
  pods.addEventHandler({ onAdd: enqueueForPod, onUpdate: (_o, n) => enqueueForPod(n), onDelete: enqueueForPod });
  // Any node change may change where daemon pods belong.
  nodes.addEventHandler({ onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });
  revisions.addEventHandler({
    onAdd: () => undefined,
    onUpdate: () => undefined,
    onDelete: (r) => {
      const ref = controllerOf(r);
      if (ref?.kind === 'DaemonSet') queue.add(`${r.metadata?.namespace ?? ''}/${ref.name ?? ''}`);
    },
  });

  const sync = async (key: string): Promise<void> => {
    const [namespace, name] = splitKey(key);
    const ds = sets.lister().get(namespace, name);
    if (!ds) {
      expectations.forget(key);
      return;
    }
    // Until the cache shows the last pass's writes, act on nothing (their events bring us back).
    const podState = (podName: string) => {
      const pod = pods.lister().get(namespace, podName);
      return pod === undefined ? 'absent' : pod.metadata?.deletionTimestamp !== undefined ? 'terminating' : 'live';
    };
    if (!expectations.satisfied(key, podState)) return;
    const owner = ownerReferenceTo(cs.appsV1.daemonSets.facts, ds);
    const selector = ds.spec?.selector;
    const inNamespace = <T extends { metadata?: { namespace?: string | undefined } | undefined }>(list: T[]) =>
      list.filter((o) => o.metadata?.namespace === namespace);
    const nodeList = nodes.lister().list();

    const owned = await claimObjects(cs.coreV1.pods, ds, owner, selector, inNamespace(pods.lister().list()));
    const ownedRevisions = await claimObjects(cs.appsV1.controllerRevisions, ds, owner, selector, inNamespace(revisions.lister().list()));
    if (ds.metadata?.deletionTimestamp !== undefined) return;

    let history;
    try {
      history = await constructHistory(cs, ds, ownedRevisions, owner);
    } catch (err) {
      if (err instanceof HashCollisionError) ctx.log(err.message);
      throw err;
    }
    const hash = history.current.metadata?.labels?.[POD_REVISION_HASH_LABEL] ?? '';
    const now = clock();
    const byNode = podsByNode(owned);

    // Create and delete pods node by node.
    const decisions = manageDecisions(ds, nodeList, byNode, hash, now);
    const ref = objectReference(cs.appsV1.daemonSets, ds);
    for (const { pod, node } of decisions.failedPods) {
      recorder.event(ref, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} on node ${node}, will try to kill it`);
    }
    const template = daemonPodTemplate(ds, hash);
    let toCreate = decisions.nodesNeedingPods;
    let toDelete = decisions.podsToDelete;

    // Then the update strategy, on the pods as they are.
    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && toCreate.length === 0 && toDelete.length === 0) {
      const plan = planRollingUpdate(ds, nodeList, byNode, hash, now);
      toCreate = plan.newNodesToCreate;
      toDelete = plan.oldPodsToDelete;
    }
    const errors: unknown[] = [];
    await Promise.all([
      ...toCreate.map((node) =>
        control.createPod(ds, template, node, owner).then(
          (pod) => expectations.created(key, pod),
          (e: unknown) => errors.push(e),
        ),
      ),
      ...toDelete.map((pod) =>
        control.deletePod(ds, pod).then(
          () => expectations.deleted(key, pod),
          (e: unknown) => errors.push(e),
        ),
      ),
    ]);

    await cleanupHistory(cs, ds, history.old, owned);

    // Status from the pods as the cache now sees them.
    const latest = inNamespace(pods.lister().list()).filter((p) => controllerOf(p)?.uid === ds.metadata?.uid);
    const latestByNode = podsByNode(latest);
    const status = computeDaemonSetStatus(ds, nodeList, latestByNode, hash, clock());
    if (daemonStatusChanged(ds.status, status)) {
      try {
        await cs.appsV1.daemonSets.updateStatus({ ...ds, status });
      } catch (err) {
        if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
      }
    }
    if (errors.length > 0) throw errors[0];
    // Look again when a ready pod becomes available.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0) {
      const waits = latest.map((p) => msUntilAvailable(p, minReady, clock())).filter((ms) => ms > 0);
      if (waits.length > 0) queue.addAfter(key, Math.min(...waits) + 50);
    }
  };

  void (async () => {
    await ctx.informers.waitForCacheSync(signal);
    await runWorkers(queue, workers, sync, signal);
  })().catch((err: unknown) => {
    if (!signal.aborted) ctx.log(`daemonset controller stopped: ${(err as Error).message}`);
  });
}
