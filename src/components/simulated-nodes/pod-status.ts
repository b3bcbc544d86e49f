/**
 * The pod status a kubelet would post for what the runtime record says, after upstream's
 * kubelet (generateAPIPodStatus, getPhase and the condition generators):
 *
 * - phase: Pending until the containers start; Running while any runs; once all have ended,
 *   Succeeded when every exit code was 0, else Failed. A pod being deleted whose containers
 *   were stopped is terminal the same way (the kubelet moves deleted pods to a terminal phase).
 * - the kubelet's own conditions, in its order, followed by the others the status had
 *   (PodScheduled, readiness gates, DisruptionTarget):
 *   PodReadyToStartContainers (True while the sandbox exists), Initialized, Ready and
 *   ContainersReady (False with reason ContainersNotReady and `containers with unready status:
 *   [a b]`, PodCompleted once Succeeded, PodFailed once Failed). Ready also needs every
 *   readiness gate's condition True (reason ReadinessGatesNotReady otherwise). Each keeps its
 *   lastTransitionTime while its status does not change; lastProbeTime stays unset.
 * - containerStatuses: running (ready, started), terminated (exitCode, reason) or waiting
 *   (ContainerCreating), with image, imageID and containerID as containerd reports them.
 * - hostIP/hostIPs, podIP/podIPs and startTime; the other fields as they were.
 */
import type { ContainerStatus, Pod, PodCondition, PodStatus } from '../../../gen/k8s/io/api/core/v1/pod.js';
import type { Time } from '../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { toTime } from '../../client/index.js';
import { imageID, normalizeImage } from './images.js';
import type { ContainerRun, PodRuntime } from './pod-runtime.js';

/** The condition types the kubelet owns, in the order it writes them. */
export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'] as const;

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** Whether the phase is terminal. */
export const isTerminalPhase = (phase: string | undefined): boolean => phase === 'Succeeded' || phase === 'Failed';

/** The pod's phase from its containers' runs. */
export function podPhase(pod: Pod, runtime: PodRuntime): Phase {
  const runs = runtime.containers;
  if (runs.length === 0) return 'Pending';
  const ended = runs.filter((r) => r.exit);
  if (ended.length < runs.length) return 'Running';
  const allSucceeded = ended.every((r) => r.exit?.exitCode === 0);
  if (runtime.stopped) return allSucceeded ? 'Succeeded' : 'Failed';
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return allSucceeded ? 'Succeeded' : 'Failed';
  if (policy === 'OnFailure' && allSucceeded) return 'Succeeded';
  // Containers that will be restarted: the pod still runs.
  return 'Running';
}

function containerStatus(run: ContainerRun): ContainerStatus {
  const startedAt = toTime(run.startedAt);
  const state: ContainerStatus['state'] = run.exit
    ? { terminated: { exitCode: run.exit.exitCode, reason: run.exit.reason, startedAt, finishedAt: toTime(run.exit.finishedAt), containerID: run.containerID } }
    : { running: { startedAt } };
  const last = run.last;
  const lastState: ContainerStatus['lastState'] = last
    ? {
        terminated: {
          exitCode: last.exit.exitCode,
          reason: last.exit.reason,
          startedAt: toTime(last.startedAt),
          finishedAt: toTime(last.exit.finishedAt),
          containerID: last.containerID,
        },
      }
    : {};
  const running = !run.exit;
  return {
    name: run.name,
    state,
    lastState,
    ready: running,
    restartCount: run.restartCount,
    image: normalizeImage(run.image),
    imageID: imageID(run.image),
    containerID: run.containerID,
    started: running,
    allocatedResources: {},
    volumeMounts: [],
    allocatedResourcesStatus: [],
  };
}

/** A container the runtime has not started: waiting, ContainerCreating (PodInitializing for app containers behind init containers). */
function waitingStatus(name: string, image: string, reason: string): ContainerStatus {
  return {
    name,
    state: { waiting: { reason } },
    lastState: {},
    ready: false,
    restartCount: 0,
    image,
    imageID: '',
    started: false,
    allocatedResources: {},
    volumeMounts: [],
    allocatedResourcesStatus: [],
  };
}

interface Cond {
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

/** Go's %v of a string slice. */
const goList = (names: readonly string[]): string => `[${names.join(' ')}]`;

function containersReadyCondition(pod: Pod, runtime: PodRuntime, phase: Phase): Cond {
  if (phase === 'Succeeded') return { status: 'False', reason: 'PodCompleted' };
  if (phase === 'Failed') return { status: 'False', reason: 'PodFailed' };
  const names = (pod.spec?.containers ?? []).map((c) => c.name ?? '');
  const unready = names.filter((n) => {
    const run = runtime.containers.find((r) => r.name === n);
    return !run || run.exit;
  });
  if (unready.length > 0) return { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: ${goList(unready)}` };
  return { status: 'True' };
}

function readyCondition(pod: Pod, containersReady: Cond): Cond {
  if (containersReady.status !== 'True') return containersReady;
  const conditions = pod.status?.conditions ?? [];
  const messages: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const type = gate.conditionType ?? '';
    const c = conditions.find((x) => x.type === type);
    if (!c) messages.push(`corresponding condition of pod readiness gate "${type}" does not exist.`);
    else if (c.status !== 'True') messages.push(`the status of pod readiness gate "${type}" is not "True", but ${c.status ?? ''}`);
  }
  if (messages.length > 0) return { status: 'False', reason: 'ReadinessGatesNotReady', message: messages.join(', ') };
  return { status: 'True' };
}

function initializedCondition(pod: Pod, runtime: PodRuntime): Cond {
  const names = (pod.spec?.initContainers ?? []).map((c) => c.name ?? '');
  const incomplete = names.filter((n) => runtime.init.find((r) => r.name === n)?.exit?.exitCode !== 0);
  if (incomplete.length > 0) return { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: ${goList(incomplete)}` };
  return { status: 'True' };
}

/** The kubelet's conditions, each keeping its old lastTransitionTime while its status is unchanged. */
function kubeletConditions(pod: Pod, runtime: PodRuntime, phase: Phase, now: Time): PodCondition[] {
  const sandbox: Cond = { status: runtime.containers.length > 0 && !isTerminalPhase(phase) ? 'True' : 'False' };
  const containersReady = containersReadyCondition(pod, runtime, phase);
  const computed: Record<(typeof KUBELET_CONDITIONS)[number], Cond> = {
    PodReadyToStartContainers: sandbox,
    Initialized: initializedCondition(pod, runtime),
    Ready: readyCondition(pod, containersReady),
    ContainersReady: containersReady,
  };
  const previous = pod.status?.conditions ?? [];
  return KUBELET_CONDITIONS.map((type) => {
    const c = computed[type];
    const old = previous.find((p) => p.type === type);
    const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    const out: PodCondition = { type, status: c.status, lastTransitionTime };
    if (c.reason !== undefined) out.reason = c.reason;
    if (c.message !== undefined) out.message = c.message;
    return out;
  });
}

/** The status the node posts for the pod at `now`. */
export function kubeletPodStatus(pod: Pod, runtime: PodRuntime, hostIP: string, now: Date): PodStatus {
  const previous = pod.status ?? { conditions: [], hostIPs: [], podIPs: [], initContainerStatuses: [], containerStatuses: [], ephemeralContainerStatuses: [], resourceClaimStatuses: [], allocatedResources: {}, nodeAllocatableResourceClaimStatuses: [], volumeHealth: [] };
  const phase = podPhase(pod, runtime);
  const at = toTime(now);
  const others = (previous.conditions ?? []).filter((c) => !(KUBELET_CONDITIONS as readonly string[]).includes(c.type ?? ''));
  const started = runtime.containers.length > 0;
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const containerStatuses = started
    ? runtime.containers.map(containerStatus)
    : (pod.spec?.containers ?? []).map((c) => waitingStatus(c.name ?? '', c.image ?? '', hasInit ? 'PodInitializing' : 'ContainerCreating'));
  const initContainerStatuses = started
    ? runtime.init.map(containerStatus)
    : (pod.spec?.initContainers ?? []).map((c, i) => waitingStatus(c.name ?? '', c.image ?? '', i === 0 ? 'ContainerCreating' : 'PodInitializing'));
  const status: PodStatus = {
    ...previous,
    phase,
    conditions: [...kubeletConditions(pod, runtime, phase, at), ...others],
    hostIP,
    hostIPs: [{ ip: hostIP }],
    startTime: toTime(runtime.acceptedAt),
    initContainerStatuses,
    containerStatuses,
  };
  if (runtime.podIP) {
    status.podIP = runtime.podIP;
    status.podIPs = [{ ip: runtime.podIP }];
  }
  return status;
}

/**
 * What of a status the node decides, times aside (the store keeps them to the second):
 * two statuses with the same digest need no write.
 */
export function statusDigest(status: PodStatus | undefined): string {
  const s = status ?? ({} as Partial<PodStatus>);
  const container = (c: ContainerStatus): unknown => [
    c.name,
    c.ready ?? false,
    c.started ?? false,
    c.restartCount ?? 0,
    c.containerID ?? '',
    c.image ?? '',
    c.imageID ?? '',
    c.state?.running ? 'running' : c.state?.terminated ? ['terminated', c.state.terminated.exitCode ?? 0, c.state.terminated.reason ?? ''] : ['waiting', c.state?.waiting?.reason ?? ''],
    c.lastState?.terminated?.containerID ?? '',
  ];
  return JSON.stringify([
    s.phase ?? '',
    (s.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '']),
    s.hostIP ?? '',
    s.podIP ?? '',
    (s.podIPs ?? []).map((p) => p.ip),
    s.startTime?.seconds ?? 0,
    (s.initContainerStatuses ?? []).map(container),
    (s.containerStatuses ?? []).map(container),
  ]);
}
