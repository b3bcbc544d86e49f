/**
 * The Deployment controller, as upstream's: a Deployment's ReplicaSets (claimed by selector,
 * adopted and released as its selector says) are rolled to the current template by the
 * strategy (rolling.ts, recreate.ts); a paused Deployment, or one whose spec.replicas changed,
 * is only scaled (proportionally during a rollout, scale.ts); one being deleted only has its
 * status kept. Changes of Deployments, of their ReplicaSets, and deleted pods (for Recreate)
 * queue the Deployment.
 */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { controllerRef, keyOf, matchesLabelSelector, ownerReferenceTo, RateLimitingQueue, runWorkers, splitKey, type Informer } from '../../../client/index.js';
import type { ControllerContext } from '../context.js';
import { claimChildren } from '../replicaset/claim.js';
import { hasDeletionTimestamp } from '../replicaset/pods.js';
import { cleanupDeployment } from './cleanup.js';
import { recordEvent, type Deps } from './deps.js';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js';
import { checkPausedConditions, syncDeploymentStatus } from './progress.js';
import { rolloutRecreate, type PodMap } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import { isScalingEvent, scale } from './scale.js';

export class DeploymentController {
  readonly queue = new RateLimitingQueue<string>();
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly deps: Deps;

  constructor(private readonly ctx: ControllerContext) {
    this.deployments = ctx.informers.informerFor<Deployment>(ctx.cs.appsV1.deployments);
    this.replicaSets = ctx.informers.informerFor<ReplicaSet>(ctx.cs.appsV1.replicaSets);
    this.pods = ctx.informers.informerFor<Pod>(ctx.cs.coreV1.pods);
    this.deps = { cs: ctx.cs, recorder: ctx.recorder('deployment-controller'), replicaSets: this.replicaSets.lister(), queue: this.queue };
  }

  /** Registers the handlers and runs the workers until the context's signal aborts. */
  async run(workers = this.ctx.options.workers ?? 2): Promise<void> {
    this.deployments.addEventHandler({
      onAdd: (d) => this.queue.add(keyOf(d)),
      onUpdate: (_old, d) => this.queue.add(keyOf(d)),
      onDelete: (d) => this.queue.add(keyOf(d)),
    });
    this.replicaSets.addEventHandler({
      onAdd: (rs) => this.replicaSetAdded(rs),
      onUpdate: (old, rs) => this.replicaSetUpdated(old, rs),
      onDelete: (rs) => this.enqueueOwner(rs.metadata?.namespace ?? '', controllerRef(rs)),
    });
    this.pods.addEventHandler({ onDelete: (pod) => this.podDeleted(pod) });
    await Promise.all([this.deployments, this.replicaSets, this.pods].map((i) => i.waitForSync(this.ctx.signal)));
    await runWorkers(this.queue, workers, (key) => this.sync(key), this.ctx.signal, (key, err) => this.ctx.log(`deployment: syncing ${key}: ${String(err)}`));
  }

  private resolve(namespace: string, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.lister().get(namespace, ref.name ?? '');
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  private enqueueOwner(namespace: string, ref: OwnerReference | undefined): void {
    const d = this.resolve(namespace, ref);
    if (d) this.queue.add(keyOf(d));
  }

  /** Deployments in the ReplicaSet's namespace whose selector matches it (for orphans). */
  private enqueueMatching(rs: ReplicaSet): void {
    for (const d of this.deployments.lister().namespace(rs.metadata?.namespace ?? '').list()) {
      if (matchesLabelSelector(d.spec?.selector, rs.metadata?.labels ?? {})) this.queue.add(keyOf(d));
    }
  }

  private replicaSetAdded(rs: ReplicaSet): void {
    const ref = controllerRef(rs);
    if (ref) return this.enqueueOwner(rs.metadata?.namespace ?? '', ref);
    this.enqueueMatching(rs);
  }

  private replicaSetUpdated(old: ReplicaSet, rs: ReplicaSet): void {
    if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
    const ns = rs.metadata?.namespace ?? '';
    const ref = controllerRef(rs);
    const oldRef = controllerRef(old);
    const refChanged = JSON.stringify(ref) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) this.enqueueOwner(ns, oldRef);
    if (ref) return this.enqueueOwner(ns, ref);
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(rs.metadata?.labels ?? {});
    if (labelsChanged || refChanged) this.enqueueMatching(rs);
  }

  /** A Recreate rollout waits for old pods to go: their deletion queues the Deployment. */
  private podDeleted(pod: Pod): void {
    const ns = pod.metadata?.namespace ?? '';
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.lister().get(ns, ref.name ?? '');
    if (!rs || rs.metadata?.uid !== ref.uid) return;
    const d = this.resolve(ns, controllerRef(rs));
    if (d && d.spec?.strategy?.type === 'Recreate') this.queue.add(keyOf(d));
  }

  /** One sync of the Deployment `key` (upstream's syncDeployment). */
  async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const cached = this.deployments.lister().get(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached);
    d.metadata!.annotations ??= {};
    d.status ??= { conditions: [] };
    const selector = d.spec?.selector;
    if (Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0) {
      recordEvent(this.deps, d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await this.ctx.cs.appsV1.deployments.updateStatus({ ...d, status: { ...d.status, observedGeneration: d.metadata?.generation } }, { namespace });
      }
      return;
    }
    const rsList = await this.claimReplicaSets(d);
    const podMap = this.podMap(d, rsList);
    if (hasDeletionTimestamp(d)) {
      const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(this.deps, d, rsList, false);
      return syncDeploymentStatus(this.deps, [...oldRSs, newRS], newRS, d);
    }
    await checkPausedConditions(this.deps, d);
    if (d.spec?.paused) return this.scaleOnly(d, rsList);
    const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(this.deps, d, rsList, false);
    if (isScalingEvent(d, [...oldRSs, newRS])) return this.scaleOnly(d, rsList);
    if (d.spec?.strategy?.type === 'Recreate') return rolloutRecreate(this.deps, d, rsList, podMap);
    return rolloutRolling(this.deps, d, rsList);
  }

  /** Scaling without rolling (upstream's sync): paused Deployments also clean up old ReplicaSets. */
  private async scaleOnly(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(this.deps, d, rsList, false);
    await scale(this.deps, d, newRS, oldRSs);
    if (d.spec?.paused) await cleanupDeployment(this.deps, oldRSs, d);
    return syncDeploymentStatus(this.deps, [...oldRSs, newRS], newRS, d);
  }

  /** The ReplicaSets the Deployment controls after adopting and releasing by its selector. */
  private claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const ns = d.metadata?.namespace ?? '';
    const client = this.ctx.cs.appsV1.replicaSets;
    return claimChildren(d, this.replicaSets.lister().namespace(ns).list(), {
      ownerRef: ownerReferenceTo(this.ctx.cs.appsV1.deployments.facts, d),
      matches: (rs) => matchesLabelSelector(d.spec?.selector, rs.metadata?.labels ?? {}),
      adopt: (rs, patch) => client.patch(rs.metadata?.name ?? '', 'strategic', patch, { namespace: ns }),
      release: (rs, patch) => client.patch(rs.metadata?.name ?? '', 'strategic', patch, { namespace: ns }),
      fresh: () => this.ctx.cs.appsV1.deployments.get(d.metadata?.name ?? '', { namespace: ns }),
    });
  }

  /** The Deployment's pods (by its selector) grouped by the uid of the ReplicaSet controlling them. */
  private podMap(d: Deployment, rsList: ReplicaSet[]): PodMap {
    const map: PodMap = new Map(rsList.map((rs) => [rs.metadata?.uid ?? '', []]));
    for (const pod of this.pods.lister().namespace(d.metadata?.namespace ?? '').list(d.spec?.selector)) {
      const uid = controllerRef(pod)?.uid;
      if (uid !== undefined) map.get(uid)?.push(pod);
    }
    return map;
  }
}
