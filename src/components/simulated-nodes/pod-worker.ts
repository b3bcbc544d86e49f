/**
 * The pod half of a simulated kubelet: watches the pods bound to its node
 * (`spec.nodeName=<node>`) and moves each through its life, writing the status a kubelet
 * would (pod-status.ts):
 *
 * - a bound pod is accepted (startTime, hostIP), gets an IP from the node's range (the
 *   node's own for hostNetwork), and after `podStartupMs` its init containers complete and its
 *   containers run: phase Running, Ready;
 * - a pod with restartPolicy Never or OnFailure (a Job's) runs `jobPodDurationMs` (or the
 *   `wheelhouse.dev/simulated-run-ms` annotation's milliseconds), then its containers exit with
 *   code 0 (reason Completed; phase Succeeded), or with the code the
 *   `wheelhouse.dev/simulated-exit-code` annotation names (reason Error; phase Failed under
 *   Never, the containers restarted, restartCount counting, under OnFailure);
 * - a pod being deleted has its containers stopped (exit code 0; the phase terminal), then is
 *   deleted with gracePeriodSeconds 0 (and its uid as precondition);
 * - a finished or deleted pod gives its IP back.
 *
 * Each container "prints" lines into the run's ContainerLogs (`started container web`, ...), and
 * the kubelet's Events (Pulled, Created, Started, Killing) are recorded when enabled.
 * Paused, the worker does nothing (a dead kubelet); resumed, it looks at every pod again.
 */
import type { Pod } from '../../../gen/k8s/io/api/core/v1/pod.js';
import { EventRecorder, Informer, isNotFound, keyOf, objectReference, RateLimitingQueue, runWorkers, type Clientset } from '../../client/index.js';
import { PodIPPool } from './addresses.js';
import { normalizeImage } from './images.js';
import type { ContainerLogs } from './logs.js';
import type { NodeIdentity } from './node-object.js';
import type { ResolvedSimulatedNodesOptions } from './options.js';
import { acceptPod, adoptPod, exitContainer, restartContainer, startContainers, type ContainerRun, type PodRuntime } from './pod-runtime.js';
import { isTerminalPhase, kubeletPodStatus, podPhase, statusDigest } from './pod-status.js';

/** Makes a simulated pod's containers exit with this code (an integer) instead of 0. */
export const EXIT_CODE_ANNOTATION = 'wheelhouse.dev/simulated-exit-code';

/** Makes a simulated run-to-completion pod run this many milliseconds instead of `jobPodDurationMs`. */
export const RUN_MS_ANNOTATION = 'wheelhouse.dev/simulated-run-ms';

const annotationInt = (pod: Pod, key: string): number | undefined => {
  const raw = pod.metadata?.annotations?.[key];
  if (raw === undefined || !/^-?\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
};

export class PodWorker {
  readonly informer: Informer<Pod>;
  private readonly queue = new RateLimitingQueue<string>();
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly ips: PodIPPool;
  private readonly recorder: EventRecorder | undefined;
  private paused = false;

  constructor(
    private readonly cs: Clientset,
    private readonly id: NodeIdentity,
    private readonly options: ResolvedSimulatedNodesOptions,
    private readonly logs: ContainerLogs,
  ) {
    this.ips = new PodIPPool(id.podCIDR);
    this.informer = new Informer<Pod>(cs.coreV1.pods, {
      fieldSelector: `spec.nodeName=${id.name}`,
      onError: (err) => options.log(`simulated node ${id.name}: pod watch: ${String(err)}`),
    });
    this.recorder = options.events
      ? new EventRecorder(cs, { component: 'kubelet', host: id.name, onError: (err) => options.log(`simulated node ${id.name}: event: ${String(err)}`) })
      : undefined;
    const enqueue = (pod: Pod): void => this.queue.add(keyOf(pod));
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, pod) => enqueue(pod), onDelete: enqueue });
  }

  /** Watches and works until `signal` aborts; resolves once the first list is in. */
  async start(signal: AbortSignal): Promise<void> {
    this.informer.start(signal);
    void runWorkers(this.queue, 2, (key) => this.sync(key), signal, (key, err) => this.options.log(`simulated node ${this.id.name}: pod ${key}: ${String(err)}`));
    await this.informer.waitForSync(signal);
  }

  /** Stops acting on pods (as a kubelet that died). */
  pause(): void {
    this.paused = true;
  }

  /** Acts again, looking at every pod of the node. */
  resume(): void {
    this.paused = false;
    for (const pod of this.informer.store.list()) this.queue.add(keyOf(pod));
  }

  /** How many pod IPs the node has handed out. */
  get podIPsInUse(): number {
    return this.ips.size;
  }

  private async sync(key: string): Promise<void> {
    if (this.paused) return;
    const pod = this.informer.store.get(key);
    const uid = pod?.metadata?.uid ?? '';
    let runtime = this.runtimes.get(key);
    if (runtime && runtime.uid !== uid) {
      this.forget(key, runtime);
      runtime = undefined;
    }
    if (!pod) return;
    if (runtime?.writtenOver !== undefined && runtime.writtenOver === pod.metadata?.resourceVersion) return; // our write is on its way

    const now = new Date();
    if (pod.metadata?.deletionTimestamp) return this.finishDeletion(key, pod, runtime, now);
    if (!runtime && isTerminalPhase(pod.status?.phase)) return; // finished before this run of the node
    if (!runtime) {
      runtime = adoptPod(pod, now) ?? acceptPod(pod, now);
      this.runtimes.set(key, runtime);
    }
    if (isTerminalPhase(podPhase(pod, runtime))) {
      this.ips.release(uid);
      return this.writeStatus(pod, runtime, now);
    }
    if (!runtime.podIP) runtime.podIP = this.assignIP(pod, uid);
    else if (!pod.spec?.hostNetwork && !this.ips.claim(uid, runtime.podIP)) runtime.podIP = this.assignIP(pod, uid);

    if (runtime.containers.length === 0) {
      const startAt = runtime.acceptedAt.getTime() + this.options.podStartupMs;
      if (now.getTime() < startAt) {
        this.queue.addAfter(key, startAt - now.getTime());
        return this.writeStatus(pod, runtime, now);
      }
      startContainers(runtime, pod, now);
      for (const run of [...runtime.init, ...runtime.containers]) this.containerStarted(pod, run, runtime.init.includes(run));
    }
    this.runToCompletion(key, pod, runtime, now);
    if (isTerminalPhase(podPhase(pod, runtime))) this.ips.release(uid);
    await this.writeStatus(pod, runtime, now);
  }

  /** For Job-style pods: ends the containers' runs when their time is up, restarting failed ones under OnFailure. */
  private runToCompletion(key: string, pod: Pod, runtime: PodRuntime, now: Date): void {
    const policy = pod.spec?.restartPolicy ?? 'Always';
    if (policy === 'Always') return;
    const runMs = annotationInt(pod, RUN_MS_ANNOTATION) ?? this.options.jobPodDurationMs;
    const exitCode = annotationInt(pod, EXIT_CODE_ANNOTATION) ?? 0;
    let next = Infinity;
    for (const run of runtime.containers) {
      if (run.exit) continue;
      const endAt = run.startedAt.getTime() + runMs;
      if (now.getTime() < endAt) {
        next = Math.min(next, endAt - now.getTime());
        continue;
      }
      exitContainer(run, exitCode, now);
      this.logs.write(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', runtime.uid, run.name, `container ${run.name} exited with code ${exitCode}`, now);
      if (exitCode !== 0 && policy === 'OnFailure') {
        restartContainer(run, now);
        this.logs.restart(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', runtime.uid, run.name);
        this.containerStarted(pod, run, false);
        next = Math.min(next, runMs);
      }
    }
    if (next !== Infinity) this.queue.addAfter(key, Math.max(1, next));
  }

  /** Stops the containers of a pod being deleted, posts its terminal status, and deletes it with grace period 0. */
  private async finishDeletion(key: string, pod: Pod, runtime: PodRuntime | undefined, now: Date): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    if (runtime && runtime.containers.length > 0 && !runtime.stopped) {
      for (const run of runtime.containers) {
        if (run.exit) continue;
        this.logs.write(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', uid, run.name, `stopping container ${run.name}`, now);
        void this.recorder?.event(this.containerRef(pod, run.name), 'Normal', 'Killing', `Stopping container ${run.name}`);
        exitContainer(run, 0, now);
      }
      runtime.stopped = true;
    }
    this.ips.release(uid);
    if (runtime && runtime.containers.length > 0 && !isTerminalPhase(pod.status?.phase)) {
      const status = kubeletPodStatus(pod, runtime, this.id.internalIP, now);
      await this.cs.coreV1.pods.updateStatus({ ...pod, status }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    if (runtime?.deleteSent) return;
    try {
      await this.cs.coreV1.pods.delete(pod.metadata?.name ?? '', { namespace: pod.metadata?.namespace, gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (runtime) runtime.deleteSent = true;
    else this.runtimes.set(key, { ...acceptPod(pod, now), deleteSent: true, stopped: true });
  }

  private async writeStatus(pod: Pod, runtime: PodRuntime, now: Date): Promise<void> {
    const status = kubeletPodStatus(pod, runtime, this.id.internalIP, now);
    if (statusDigest(status) === statusDigest(pod.status)) return;
    await this.cs.coreV1.pods.updateStatus({ ...pod, status });
    runtime.writtenOver = pod.metadata?.resourceVersion;
  }

  private assignIP(pod: Pod, uid: string): string | undefined {
    if (pod.spec?.hostNetwork) return this.id.internalIP;
    const ip = this.ips.allocate(uid);
    if (!ip) this.options.log(`simulated node ${this.id.name}: no pod IP left in ${this.id.podCIDR} for ${keyOf(pod)}`);
    return ip;
  }

  private containerStarted(pod: Pod, run: ContainerRun, init: boolean): void {
    const [namespace, name] = [pod.metadata?.namespace ?? '', pod.metadata?.name ?? ''];
    this.logs.write(namespace, name, pod.metadata?.uid ?? '', run.name, `started container ${run.name} (image ${normalizeImage(run.image)})`, run.startedAt);
    if (init) this.logs.write(namespace, name, pod.metadata?.uid ?? '', run.name, `container ${run.name} exited with code 0`, run.startedAt);
    if (!this.recorder) return;
    const ref = this.containerRef(pod, run.name, init);
    void this.recorder.event(ref, 'Normal', 'Pulled', `Container image "${run.image}" already present on machine`);
    void this.recorder.event(ref, 'Normal', 'Created', `Created container: ${run.name}`);
    void this.recorder.event(ref, 'Normal', 'Started', `Started container ${run.name}`);
  }

  private containerRef(pod: Pod, container: string, init = false): ReturnType<typeof objectReference> {
    return { ...objectReference(this.cs.coreV1.pods, pod), fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${container}}` };
  }

  private forget(key: string, runtime: PodRuntime): void {
    this.ips.release(runtime.uid);
    this.runtimes.delete(key);
    const [namespace, name] = key.includes('/') ? (key.split('/') as [string, string]) : ['', key];
    this.logs.forget(namespace, name, runtime.uid);
  }
}
