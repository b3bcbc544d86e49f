/**
 * The scheduler cache: nodes and the pods counted on them. Pods come from the informer once they
 * are bound (`spec.nodeName` set) and not terminal; a pod the scheduler has just placed is
 * *assumed* onto its node before the binding is written, so the next scheduling cycle already
 * sees its requests and back-to-back pods never over-commit a node. The informer's update with
 * the nodeName confirms an assumed pod; a failed binding forgets it.
 */
import type { Node } from '../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../gen/k8s/io/api/core/v1/pod.js';
import { NodeInfo, podInfoOf } from './node-info.js';

/** Whether a pod has finished (Succeeded or Failed): it no longer holds resources on its node. */
export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export class SchedulerCache {
  private readonly infos = new Map<string, NodeInfo>();
  /** Which node each counted pod is on. */
  private readonly podNode = new Map<string, string>();
  private readonly assumed = new Set<string>();

  private infoFor(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.infos.set(name, info);
    }
    return info;
  }

  setNode(node: Node): void {
    this.infoFor(node.metadata?.name ?? '').setNode(node);
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info) return;
    if (info.pods.size === 0) this.infos.delete(name);
    else info.setNode(undefined);
  }

  /** The nodes known as Node objects, in name order. */
  nodeInfos(): NodeInfo[] {
    return [...this.infos.values()].filter((i) => i.node).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  nodeCount(): number {
    let n = 0;
    for (const i of this.infos.values()) if (i.node) n++;
    return n;
  }

  /** Adds or refreshes a pod from the informer: counted while bound and not terminal. Confirms an assumed pod. */
  setPod(key: string, pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isTerminal(pod)) {
      if (!this.assumed.has(key) || nodeName) this.removePod(key);
      return;
    }
    this.assumed.delete(key);
    this.place(key, pod, nodeName);
  }

  removePod(key: string): void {
    const node = this.podNode.get(key);
    if (node !== undefined) {
      const info = this.infos.get(node);
      info?.removePod(key);
      if (info && !info.node && info.pods.size === 0) this.infos.delete(node);
    }
    this.podNode.delete(key);
    this.assumed.delete(key);
  }

  /** Counts `pod` on `nodeName` ahead of its binding. */
  assume(key: string, pod: Pod, nodeName: string): void {
    const bound: Pod = { ...pod, spec: { ...pod.spec!, nodeName } };
    this.place(key, bound, nodeName);
    this.assumed.add(key);
  }

  /** Drops an assumed pod whose binding failed (a pod the informer has seen bound stays). */
  forget(key: string): void {
    if (this.assumed.has(key)) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  /** Every counted pod, for the inter-pod affinity checks. */
  allPods(): { pod: Pod; node: NodeInfo }[] {
    const out: { pod: Pod; node: NodeInfo }[] = [];
    for (const info of this.infos.values()) for (const p of info.pods.values()) out.push({ pod: p.pod, node: info });
    return out;
  }

  private place(key: string, pod: Pod, nodeName: string): void {
    const old = this.podNode.get(key);
    if (old !== undefined && old !== nodeName) this.removePod(key);
    this.infoFor(nodeName).addPod(podInfoOf(key, pod));
    this.podNode.set(key, nodeName);
  }
}
