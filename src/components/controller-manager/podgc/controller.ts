/**
 * The pod garbage collector (upstream's podgc), every gcCheckPeriod (20 s):
 *
 * - terminated pods (phase neither Pending, Running nor Unknown) beyond
 *   terminatedPodGcThreshold (12500; 0 turns this off) are deleted, evicted ones first, then
 *   oldest first (name breaking ties);
 * - terminating pods on a node that is not Ready and carries the
 *   `node.kubernetes.io/out-of-service` taint are deleted;
 * - orphaned pods, bound to a node that no longer exists, are deleted once the node has been
 *   missing from the cache for the quarantine time (40 s) and a read confirms it is gone; they
 *   get the DisruptionTarget condition (reason DeletionByPodGC, `PodGC: node no longer exists`);
 * - terminating pods never bound to a node are deleted.
 *
 * A pod is deleted with grace period 0, after its phase is set Failed unless it had ended.
 */
import type { Node } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod, PodCondition } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { isNotFound, sleep, timeOf, toTime, type Informer } from '../../../client/index.js';
import type { ControllerContext } from '../context.js';

/** Upstream's defaults. */
export const POD_GC_PERIOD_MS = 20_000;
export const POD_GC_QUARANTINE_MS = 40_000;
export const TERMINATED_POD_GC_THRESHOLD = 12_500;

export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

const isTerminated = (p: Pod): boolean => {
  const phase = p.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
};

const isEvicted = (p: Pod): boolean => p.status?.phase === 'Failed' && p.status.reason === 'Evicted';

/** Evicted first, then by creation time, then by name (upstream's byEvictionAndCreationTimestamp). */
function byEvictionAndCreation(a: Pod, b: Pod): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = timeOf(a.metadata?.creationTimestamp)?.getTime() ?? 0;
  const tb = timeOf(b.metadata?.creationTimestamp)?.getTime() ?? 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

const nodeReady = (n: Node): boolean => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export class PodGCController {
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly threshold: number;
  private readonly periodMs: number;
  private readonly quarantineMs: number;
  private readonly now: () => number;
  /** Node names pods are bound to that the cache lacks, with when that was first seen. */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    const { cs, informers, options } = ctx;
    this.pods = informers.informerFor(cs.coreV1.pods);
    this.nodes = informers.informerFor(cs.coreV1.nodes);
    this.threshold = options.terminatedPodGcThreshold ?? TERMINATED_POD_GC_THRESHOLD;
    this.periodMs = options.podGcPeriodMs ?? POD_GC_PERIOD_MS;
    this.quarantineMs = options.podGcQuarantineMs ?? POD_GC_QUARANTINE_MS;
    this.now = options.now ?? Date.now;
  }

  async run(): Promise<void> {
    const { signal } = this.ctx;
    await Promise.all([this.pods.waitForSync(signal), this.nodes.waitForSync(signal)]);
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (err) {
        if (!signal.aborted) this.ctx.log(`podgc: ${String(err)}`);
      }
      await sleep(this.periodMs, signal);
    }
  }

  /** One collection pass. */
  async gc(): Promise<void> {
    const pods = this.pods.store.list();
    const nodes = this.nodes.store.list();
    if (this.threshold > 0) await this.gcTerminated(pods);
    await this.gcTerminatingOutOfService(pods);
    await this.gcOrphaned(pods, nodes);
    await this.gcUnscheduledTerminating(pods);
  }

  private async gcTerminated(pods: readonly Pod[]): Promise<void> {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - this.threshold;
    if (excess <= 0) return;
    this.ctx.log(`podgc: garbage collecting ${excess} terminated pods`);
    await this.deleteAll(terminated.sort(byEvictionAndCreation).slice(0, excess));
  }

  private async gcTerminatingOutOfService(pods: readonly Pod[]): Promise<void> {
    const doomed = pods.filter((p) => {
      if (!p.metadata?.deletionTimestamp) return false;
      const node = this.nodes.store.get(p.spec?.nodeName ?? '');
      return node !== undefined && !nodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE);
    });
    await this.deleteAll(doomed.sort(byEvictionAndCreation));
  }

  private async gcOrphaned(pods: readonly Pod[], nodes: readonly Node[]): Promise<void> {
    const existing = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    const now = this.now();
    for (const p of pods) {
      const name = p.spec?.nodeName;
      if (name && !existing.has(name) && !this.missingSince.has(name)) this.missingSince.set(name, now);
    }
    const deleted = new Set<string>();
    for (const [name, since] of [...this.missingSince]) {
      if (now - since < this.quarantineMs) continue;
      this.missingSince.delete(name);
      if (existing.has(name)) continue;
      try {
        await this.ctx.cs.coreV1.nodes.get(name, { signal: this.ctx.signal });
      } catch (err) {
        if (isNotFound(err)) deleted.add(name);
        else this.ctx.log(`podgc: getting node ${name}: ${String(err)}`);
      }
    }
    if (deleted.size === 0) return;
    const condition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };
    for (const p of pods) {
      if (!deleted.has(p.spec?.nodeName ?? '')) continue;
      this.ctx.log(`podgc: deleting orphaned pod ${p.metadata?.namespace}/${p.metadata?.name} of deleted node ${p.spec?.nodeName}`);
      await this.markFailedAndDelete(p, condition).catch((err: unknown) => this.ctx.log(`podgc: ${String(err)}`));
    }
  }

  private async gcUnscheduledTerminating(pods: readonly Pod[]): Promise<void> {
    await this.deleteAll(pods.filter((p) => p.metadata?.deletionTimestamp && !p.spec?.nodeName));
  }

  private async deleteAll(pods: readonly Pod[]): Promise<void> {
    await Promise.all(pods.map((p) => this.markFailedAndDelete(p).catch((err: unknown) => this.ctx.log(`podgc: ${String(err)}`))));
  }

  /** Sets the phase Failed (and the condition) unless the pod had ended, then deletes it with grace period 0. */
  private async markFailedAndDelete(pod: Pod, condition?: PodCondition): Promise<void> {
    const { cs, signal } = this.ctx;
    const namespace = pod.metadata?.namespace;
    const name = pod.metadata?.name ?? '';
    try {
      const phase = pod.status?.phase;
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        const conditions = [...(pod.status?.conditions ?? [])];
        if (condition) {
          const i = conditions.findIndex((c) => c.type === condition.type);
          const old = i >= 0 ? conditions[i] : undefined;
          const lastTransitionTime = old && old.status === condition.status ? old.lastTransitionTime : toTime(new Date(this.now()));
          const next = { ...old, ...condition, lastTransitionTime };
          if (i >= 0) conditions[i] = next;
          else conditions.push(next);
        }
        await cs.coreV1.pods.updateStatus({ ...pod, status: { ...pod.status, phase: 'Failed', conditions } }, { signal });
      }
      await cs.coreV1.pods.delete(name, { namespace, gracePeriodSeconds: 0, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
