/**
 * A tiny stand-in for the kubelet in controller tests: every pod it sees that is not Running
 * and Ready (and not being deleted) is moved to phase Running with Ready True and a pod IP,
 * through the pods' /status, so the replica controllers count it ready and available.
 */
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import { Informer, toTime, type Clientset } from '../../src/client/index.js';

/** Pods with this label set to `true` are never made Ready (for rollouts that must not progress). */
export const HOLD_LABEL = 'test.wheelhouse.dev/hold-ready';

/** Runs until `signal` aborts; each pod turns Ready `delayMs` after it is seen; `pause()` holds pods back (not Ready) until `resume()`. */
export function runReadyPods(cs: Clientset, signal: AbortSignal, opts: { delayMs?: number } = {}): { paused: boolean; pause(): void; resume(): void } {
  const informer = new Informer<Pod>(cs.coreV1.pods);
  const state = {
    paused: false,
    pause: () => void (state.paused = true),
    resume: () => {
      state.paused = false;
      for (const p of informer.store.list()) void markReady(p);
    },
  };
  let ip = 1;
  const inFlight = new Set<string>();
  const markReady = async (pod: Pod): Promise<void> => {
    if (state.paused || signal.aborted) return;
    const uid = pod.metadata?.uid ?? '';
    if (pod.metadata?.deletionTimestamp?.seconds) return;
    if (pod.metadata?.labels?.[HOLD_LABEL] === 'true') return;
    const ready = pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ready || inFlight.has(uid)) return;
    inFlight.add(uid);
    try {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      const now = toTime(new Date());
      await cs.coreV1.pods.updateStatus(
        {
          ...pod,
          status: {
            ...pod.status,
            phase: 'Running',
            podIP: `10.0.0.${ip++ % 250}`,
            startTime: now,
            conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: now })),
          },
        },
        { namespace: pod.metadata?.namespace },
      );
    } catch {
      // Deleted or changed meanwhile: the next event retries.
    } finally {
      inFlight.delete(uid);
    }
  };
  informer.addEventHandler({ onAdd: (p) => void markReady(p), onUpdate: (_o, p) => void markReady(p) });
  informer.start(signal);
  return state;
}
