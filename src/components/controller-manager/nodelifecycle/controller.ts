/**
 * The node lifecycle controller (upstream's nodelifecycle, without its pod eviction queues):
 *
 * - every nodeMonitorPeriod it checks each node's health (node-health.ts) and writes the
 *   Unknown conditions of a node gone silent; a node whose Ready turns from True gets a
 *   `NodeNotReady` Event and the Ready condition of each of its pods set False (with a
 *   Warning `NodeNotReady` Event, `Node is not ready`, on the pod), as does a pod newly bound to
 *   a node that is not Ready;
 * - taint-based eviction's NoExecute taints: `node.kubernetes.io/not-ready` for Ready False,
 *   `node.kubernetes.io/unreachable` for Ready Unknown (one replaces the other), both removed
 *   when the node is Ready again — except while no node at all is Ready (upstream's "master
 *   disruption mode"), when none is added and those present are removed;
 * - on every Node change, the NoSchedule taints that mirror its conditions and
 *   spec.unschedulable (taints.ts);
 * - `RegisteredNode` / `RemovingNode` Events when it first sees a node, or sees it gone.
 *
 * Upstream rate-limits adding NoExecute taints per zone (0.1 nodes/s); here they go on at once.
 */
import type { Lease } from '../../../../gen/k8s/io/api/coordination/v1/generated.js';
import type { Node } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { isNotFound, keyOf, objectReference, RateLimitingQueue, runWorkers, sleep, toTime, type EventRecorder, type Informer } from '../../../client/index.js';
import type { ControllerContext } from '../context.js';
import { NodeHealth, readyCondition } from './node-health.js';
import { hasTaint, noScheduleDiff, NOT_READY_NO_EXECUTE, swapNodeTaints, UNREACHABLE_NO_EXECUTE, wantedNoScheduleTaints } from './taints.js';

/** Upstream's defaults. */
export const NODE_MONITOR_PERIOD_MS = 5000;
export const NODE_MONITOR_GRACE_PERIOD_MS = 40_000;
export const NODE_STARTUP_GRACE_PERIOD_MS = 60_000;

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const PODS_BY_NODE = 'nodelifecycle:spec.nodeName';

/** How many nodes are checked at once. */
const NODE_WORKERS = 8;

export class NodeLifecycleController {
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly health: NodeHealth;
  private readonly recorder: EventRecorder;
  private readonly known = new Map<string, string>();
  private readonly retryMarkPods = new Set<string>();
  private readonly nodeQueue = new RateLimitingQueue<string>();
  private readonly podQueue = new RateLimitingQueue<string>();
  private readonly now: () => number;
  private readonly periodMs: number;

  constructor(private readonly ctx: ControllerContext) {
    const { cs, informers, options } = ctx;
    this.nodes = informers.informerFor(cs.coreV1.nodes);
    this.leases = informers.informerFor(cs.coordinationV1.leases, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = informers.informerFor(cs.coreV1.pods);
    this.pods.addIndexers({ [PODS_BY_NODE]: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) });
    this.health = new NodeHealth(options.nodeMonitorGracePeriodMs ?? NODE_MONITOR_GRACE_PERIOD_MS, options.nodeStartupGracePeriodMs ?? NODE_STARTUP_GRACE_PERIOD_MS);
    this.recorder = ctx.recorder('node-controller');
    this.now = options.now ?? Date.now;
    this.periodMs = options.nodeMonitorPeriodMs ?? NODE_MONITOR_PERIOD_MS;

    const enqueueNode = (n: Node): void => this.nodeQueue.add(n.metadata?.name ?? '');
    this.nodes.addEventHandler({ onAdd: enqueueNode, onUpdate: (_o, n) => enqueueNode(n) });
    this.pods.addEventHandler({
      onAdd: (p) => {
        if (p.spec?.nodeName) this.podQueue.add(keyOf(p));
      },
      onUpdate: (o, p) => {
        if (p.spec?.nodeName && p.spec.nodeName !== o.spec?.nodeName) this.podQueue.add(keyOf(p));
      },
    });
  }

  /** Runs until the context's signal aborts. */
  async run(): Promise<void> {
    const { signal } = this.ctx;
    await Promise.all([this.nodes.waitForSync(signal), this.leases.waitForSync(signal), this.pods.waitForSync(signal)]);
    const onError = (what: string) => (key: string, err: unknown) => this.ctx.log(`nodelifecycle: ${what} ${key}: ${String(err)}`);
    void runWorkers(this.nodeQueue, 2, (name) => this.syncNoScheduleTaints(name), signal, onError('node'));
    void runWorkers(this.podQueue, 2, (key) => this.syncPod(key), signal, onError('pod'));
    while (!signal.aborted) {
      try {
        await this.monitorNodeHealth();
      } catch (err) {
        if (!signal.aborted) this.ctx.log(`nodelifecycle: monitoring node health: ${String(err)}`);
      }
      await sleep(this.periodMs, signal);
    }
  }

  /** One pass over every node: health, Unknown conditions, pods marked not ready, NoExecute taints. */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.store.list();
    this.noteAddedAndRemoved(nodes);
    const results = new Map<string, { node: Node; observed: string | undefined; current: string | undefined }>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < nodes.length) {
        const node = nodes[next++] as Node;
        const status = await this.checkNode(node).catch((err: unknown) => {
          this.ctx.log(`nodelifecycle: node ${node.metadata?.name}: ${String(err)}`);
          return undefined;
        });
        if (status) results.set(node.metadata?.name ?? '', status);
      }
    };
    await Promise.all(Array.from({ length: Math.min(NODE_WORKERS, nodes.length) }, worker));
    // No node Ready at all: upstream's disruption mode, where nothing is evicted and the NoExecute taints go.
    const fullDisruption = results.size > 0 && [...results.values()].every((r) => r.current !== 'True');
    for (const { node, observed } of results.values()) {
      await this.syncNoExecuteTaints(node, fullDisruption ? 'True' : observed).catch((err: unknown) => this.ctx.log(`nodelifecycle: taints of ${node.metadata?.name}: ${String(err)}`));
    }
  }

  private noteAddedAndRemoved(nodes: readonly Node[]): void {
    const names = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    for (const n of nodes) {
      const name = n.metadata?.name ?? '';
      if (this.known.has(name)) continue;
      this.known.set(name, n.metadata?.uid ?? '');
      void this.nodeEvent(name, n.metadata?.uid ?? '', 'RegisteredNode', `Registered Node ${name} in Controller`);
    }
    for (const [name, uid] of this.known) {
      if (names.has(name)) continue;
      this.known.delete(name);
      this.health.forget(name);
      this.retryMarkPods.delete(name);
      void this.nodeEvent(name, uid, 'RemovingNode', `Removing Node ${name} from Controller`);
    }
  }

  private nodeEvent(name: string, uid: string, reason: string, event: string): Promise<void> {
    return this.recorder.event({ apiVersion: 'v1', kind: 'Node', name, uid, namespace: '' }, 'Normal', reason, `Node ${name} event: ${event}`);
  }

  /** Checks one node; returns its Ready status before and after the check (undefined while it has none). */
  private async checkNode(cached: Node): Promise<{ node: Node; observed: string | undefined; current: string | undefined }> {
    const { cs, signal } = this.ctx;
    const name = cached.metadata?.name ?? '';
    let node = cached;
    let check;
    for (let attempt = 0; ; attempt++) {
      const now = this.now();
      check = this.health.check(node, this.leases.store.get(`${NODE_LEASE_NAMESPACE}/${name}`), now);
      if (!check.silenced) break;
      try {
        node = await cs.coreV1.nodes.updateStatus(check.silenced, { signal });
        this.health.written(node, now);
        break;
      } catch (err) {
        if (attempt >= 4) throw err;
        node = await cs.coreV1.nodes.get(name, { signal });
      }
    }
    const { observed, current } = check;
    if (!current) return { node, observed: undefined, current: undefined };
    const wentDown = current.status !== 'True' && observed.status === 'True';
    if (wentDown) void this.recorder.event({ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid, namespace: '' }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    if (wentDown || (this.retryMarkPods.has(name) && observed.status !== 'True')) {
      try {
        await this.markPodsNotReady(this.pods.store.byIndex(PODS_BY_NODE, name), name);
        this.retryMarkPods.delete(name);
      } catch (err) {
        this.retryMarkPods.add(name);
        throw err;
      }
    } else this.retryMarkPods.delete(name);
    return { node, observed: observed.status, current: current.status };
  }

  /** The NoExecute taint the Ready status (as observed before this pass, as upstream) calls for, replacing the opposite one; none when Ready. */
  private async syncNoExecuteTaints(node: Node, ready: string | undefined): Promise<void> {
    const { cs, signal } = this.ctx;
    const fresh = this.nodes.store.get(node.metadata?.name ?? '') ?? node;
    if (ready === 'False') await swapNodeTaints(cs, fresh, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE], new Date(this.now()), signal);
    else if (ready === 'Unknown') await swapNodeTaints(cs, fresh, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], new Date(this.now()), signal);
    else if (ready === 'True' && (hasTaint(fresh, NOT_READY_NO_EXECUTE) || hasTaint(fresh, UNREACHABLE_NO_EXECUTE))) {
      await swapNodeTaints(cs, fresh, [], [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE], new Date(this.now()), signal);
    }
  }

  /** Brings the node's managed NoSchedule taints in line with its conditions. */
  private async syncNoScheduleTaints(name: string): Promise<void> {
    const node = this.nodes.store.get(name);
    if (!node) return;
    const { add, remove } = noScheduleDiff(node, wantedNoScheduleTaints(node));
    if (add.length === 0 && remove.length === 0) return;
    // A fresh read inside swapNodeTaints recomputes against the latest Node after a conflict.
    await swapNodeTaints(this.ctx.cs, node, add, remove, new Date(this.now()), this.ctx.signal);
  }

  /** A pod newly bound to a node that is not Ready is marked not ready. */
  private async syncPod(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || !this.health.known(nodeName) || !this.nodes.store.get(nodeName)) return;
    const ready = this.health.lastReady(nodeName) ?? readyCondition(this.nodes.store.get(nodeName));
    if (ready && ready.status !== 'True') await this.markPodsNotReady([pod], nodeName);
  }

  /** Sets the Ready condition of each pod on the node False (upstream's MarkPodsNotReady). */
  private async markPodsNotReady(pods: readonly Pod[], nodeName: string): Promise<void> {
    const errors: unknown[] = [];
    for (const pod of pods) {
      if (pod.spec?.nodeName !== nodeName) continue;
      const conditions = pod.status?.conditions ?? [];
      const i = conditions.findIndex((c) => c.type === 'Ready');
      if (i < 0 || conditions[i]?.status === 'False') continue;
      const updated = conditions.map((c, j) => (j === i ? { ...c, status: 'False', lastTransitionTime: toTime(new Date(this.now())) } : c));
      try {
        await this.ctx.cs.coreV1.pods.updateStatus({ ...pod, status: { ...pod.status, conditions: updated } }, { signal: this.ctx.signal });
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
        continue;
      }
      void this.recorder.event(objectReference(this.ctx.cs.coreV1.pods, pod), 'Warning', 'NodeNotReady', 'Node is not ready');
    }
    if (errors.length > 0) throw errors[0];
  }
}
