/**
 * A stand-in kubelet for controller tests (no scheduler or simulated nodes run there): it binds
 * a pod to the node its required affinity names (`metadata.name In [node]`, as DaemonSet pods
 * carry), marks pods Running and Ready once `admit(pod)` says so, and finishes graceful deletions.
 */
import { Pod, PodStatus } from '../../gen/k8s/io/api/core/v1/pod.js';
import { Informer, StatusError, toTime, type Clientset } from '../../src/client/index.js';

export interface FakeKubelet {
  /** Looks at every pod again (after `admit` starts saying yes to more of them). */
  poke(): void;
}

function targetNode(pod: Pod): string | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) for (const f of t.matchFields) if (f.key === 'metadata.name' && f.operator === 'In') return f.values[0];
  return undefined;
}

function ignoreGone(err: unknown): void {
  if (err instanceof StatusError && (err.reason === 'NotFound' || err.reason === 'Conflict')) return;
  throw err;
}

let ipCounter = 10;

/** Runs until `signal` aborts. `bind` turns on binding by affinity. */
export function startFakeKubelet(cs: Clientset, signal: AbortSignal, opts: { bind: boolean; admit?: (pod: Pod) => boolean }): FakeKubelet {
  const informer = new Informer(cs.coreV1.pods, {});
  const busy = new Set<string>();
  const admit = opts.admit ?? (() => true);

  const handle = async (pod: Pod): Promise<void> => {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace;
    if (pod.metadata?.deletionTimestamp !== undefined) {
      await cs.coreV1.pods.delete(name, { namespace, gracePeriodSeconds: 0 }).catch(ignoreGone);
      return;
    }
    const node = targetNode(pod);
    if (opts.bind && !pod.spec?.nodeName && node) {
      await cs.coreV1.pods
        .createBinding(name, { metadata: { name, namespace, labels: {}, annotations: {}, ownerReferences: [], finalizers: [], managedFields: [] }, target: { kind: 'Node', name: node } }, { namespace })
        .catch(ignoreGone);
      return; // the binding's update event brings the pod back
    }
    if (pod.status?.phase === 'Running' || !admit(pod)) return;
    const now = toTime(new Date());
    const status = PodStatus.fromPartial({
      ...pod.status,
      phase: 'Running',
      podIP: `10.244.0.${ipCounter++ % 250}`,
      startTime: now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
      ],
    });
    await cs.coreV1.pods.updateStatus(Pod.fromPartial({ ...pod, status })).catch(ignoreGone);
  };

  const visit = (pod: Pod) => {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    if (busy.has(key)) return;
    busy.add(key);
    void handle(pod)
      .catch(() => undefined)
      .finally(() => {
        busy.delete(key);
        // Look again at the latest copy: events that came while busy were skipped.
        const latest = informer.store.get(key);
        if (latest && latest.metadata?.resourceVersion !== pod.metadata?.resourceVersion && !signal.aborted) visit(latest);
      });
  };
  informer.addEventHandler({ onAdd: visit, onUpdate: (_o, n) => visit(n), onDelete: () => undefined });
  void informer.run(signal);
  return {
    poke() {
      for (const pod of informer.store.list()) visit(pod);
    },
  };
}
