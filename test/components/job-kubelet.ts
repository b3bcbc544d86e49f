/**
 * A stand-in kubelet for the Job and CronJob tests: every new pod goes Running (Ready, with a
 * pod IP and a running container) and, after `kubelet.test/run-ms` (default 300 ms), ends
 * Succeeded with exit code 0, or Failed with exit code 1 when labelled
 * `kubelet.test/outcome=fail`; `kubelet.test/outcome=hang` keeps it running. It records, per
 * Job, the most pods it had running at once.
 */
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import { Informer, isConflict, isNotFound, keyOf, toTime, type Clientset } from '../../src/client/index.js';

export interface JobKubelet {
  /** Most pods of the Job (by `batch.kubernetes.io/job-name`) running at once. */
  maxRunning(jobName: string): number;
  stop(): void;
}

async function setStatus(cs: Clientset, pod: Pod, mutate: (p: Pod) => void): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    let cur: Pod;
    try {
      cur = await cs.coreV1.pods.get(pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace });
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    if (cur.metadata?.deletionTimestamp !== undefined || cur.metadata?.uid !== pod.metadata?.uid) return false;
    mutate(cur);
    try {
      await cs.coreV1.pods.updateStatus(cur);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!isConflict(err)) throw err;
    }
  }
  return false;
}

export function startJobKubelet(cs: Clientset): JobKubelet {
  const ac = new AbortController();
  const informer = new Informer(cs.coreV1.pods);
  const seen = new Set<string>();
  const running = new Map<string, Set<string>>();
  const max = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let ip = 10;

  const run = async (pod: Pod): Promise<void> => {
    const labels = pod.metadata?.labels ?? {};
    const job = labels['batch.kubernetes.io/job-name'] ?? '';
    const uid = pod.metadata?.uid ?? '';
    const started = new Date();
    const podIP = `10.244.0.${ip++ % 250}`;
    const ok = await setStatus(cs, pod, (p) => {
      const status = p.status ?? { conditions: [], containerStatuses: [] };
      p.status = {
        ...status,
        phase: 'Running',
        podIP,
        podIPs: [{ ip: podIP }],
        startTime: toTime(started),
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: toTime(started) },
          { type: 'Initialized', status: 'True', lastTransitionTime: toTime(started) },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: toTime(started) },
          { type: 'Ready', status: 'True', lastTransitionTime: toTime(started) },
        ],
        containerStatuses: (p.spec?.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: toTime(started) } },
        })),
      } as Pod['status'];
    });
    if (!ok) return;
    const set = running.get(job) ?? new Set<string>();
    set.add(uid);
    running.set(job, set);
    max.set(job, Math.max(max.get(job) ?? 0, set.size));
    const outcome = labels['kubelet.test/outcome'] ?? 'succeed';
    if (outcome === 'hang') return;
    const ms = Number(labels['kubelet.test/run-ms'] ?? '300');
    const timer = setTimeout(() => {
      timers.delete(timer);
      const failed = outcome === 'fail';
      const finished = new Date();
      set.delete(uid);
      void setStatus(cs, pod, (p) => {
        const status = p.status ?? { conditions: [], containerStatuses: [] };
        p.status = {
          ...status,
          phase: failed ? 'Failed' : 'Succeeded',
          conditions: (status.conditions ?? []).map((c) =>
            c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: toTime(finished) } : c,
          ),
          containerStatuses: (status.containerStatuses ?? []).map((c) => ({
            ...c,
            ready: false,
            started: false,
            state: { terminated: { exitCode: failed ? 1 : 0, reason: failed ? 'Error' : 'Completed', startedAt: toTime(started), finishedAt: toTime(finished) } },
          })),
        } as Pod['status'];
      }).catch(() => undefined);
    }, ms);
    timers.add(timer);
  };

  const consider = (pod: Pod): void => {
    const key = `${keyOf(pod)}/${pod.metadata?.uid ?? ''}`;
    if (seen.has(key) || pod.metadata?.deletionTimestamp !== undefined || (pod.status?.phase ?? 'Pending') !== 'Pending') return;
    seen.add(key);
    void run(pod).catch(() => undefined);
  };
  informer.addEventHandler({
    onAdd: consider,
    onUpdate: (_old, cur) => consider(cur),
    onDelete: (pod) => {
      const job = pod.metadata?.labels?.['batch.kubernetes.io/job-name'] ?? '';
      running.get(job)?.delete(pod.metadata?.uid ?? '');
    },
  });
  informer.start(ac.signal);
  return {
    maxRunning: (job) => max.get(job) ?? 0,
    stop() {
      ac.abort();
      for (const t of timers) clearTimeout(t);
    },
  };
}
