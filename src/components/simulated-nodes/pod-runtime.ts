/**
 * What a simulated node knows of the pods it runs: when it accepted each, the address it
 * gave it, and each container's runs (its ID, when it started, how it ended). The API
 * status is computed from this (pod-status.ts); this is the "container runtime".
 */
import type { Pod } from '../../../gen/k8s/io/api/core/v1/pod.js';
import { timeOf } from '../../client/index.js';
import { newContainerID } from './images.js';

/** How a container's run ended. */
export interface ContainerExit {
  exitCode: number;
  /** Completed for exit code 0, Error otherwise (as containerd reports). */
  reason: string;
  finishedAt: Date;
}

/** One container of a pod, as the runtime runs it. */
export interface ContainerRun {
  name: string;
  image: string;
  containerID: string;
  startedAt: Date;
  restartCount: number;
  /** Set once the current run has ended. */
  exit?: ContainerExit;
  /** The previous run, after a restart. */
  last?: { containerID: string; startedAt: Date; exit: ContainerExit };
}

/** One pod, as the node runs it. */
export interface PodRuntime {
  uid: string;
  /** When the node accepted the pod (status.startTime). */
  acceptedAt: Date;
  /** The pod's IP; the node's for a hostNetwork pod. */
  podIP?: string;
  /** Init containers (all run to completion before the app containers start). */
  init: ContainerRun[];
  /** App containers; empty until they start. */
  containers: ContainerRun[];
  /** The containers were stopped because the pod is being deleted. */
  stopped: boolean;
  /** The deletion with grace period 0 has been sent. */
  deleteSent: boolean;
  /** The resourceVersion the last status write was based on: until the cache moves past it, there is nothing new to do. */
  writtenOver?: string;
}

/** The exit reason containerd gives an exit code. */
export const exitReason = (exitCode: number): string => (exitCode === 0 ? 'Completed' : 'Error');

/** A runtime record for a pod just accepted (nothing started yet). */
export function acceptPod(pod: Pod, now: Date): PodRuntime {
  return { uid: pod.metadata?.uid ?? '', acceptedAt: now, init: [], containers: [], stopped: false, deleteSent: false };
}

/** Starts the pod's containers at `now`: init containers run and complete at once, then the app containers run. */
export function startContainers(runtime: PodRuntime, pod: Pod, now: Date): void {
  const spec = pod.spec;
  runtime.init = (spec?.initContainers ?? []).map((c) => ({
    name: c.name ?? '',
    image: c.image ?? '',
    containerID: newContainerID(),
    startedAt: now,
    restartCount: 0,
    exit: { exitCode: 0, reason: 'Completed', finishedAt: now },
  }));
  runtime.containers = (spec?.containers ?? []).map((c) => ({ name: c.name ?? '', image: c.image ?? '', containerID: newContainerID(), startedAt: now, restartCount: 0 }));
}

/** Ends the container's current run. */
export function exitContainer(run: ContainerRun, exitCode: number, now: Date): void {
  if (!run.exit) run.exit = { exitCode, reason: exitReason(exitCode), finishedAt: now };
}

/** Starts the container again after its run ended (restartPolicy OnFailure or Always). */
export function restartContainer(run: ContainerRun, now: Date): void {
  if (!run.exit) return;
  run.last = { containerID: run.containerID, startedAt: run.startedAt, exit: run.exit };
  run.containerID = newContainerID();
  run.startedAt = now;
  run.restartCount += 1;
  delete run.exit;
}

/**
 * A runtime record rebuilt from a pod's API status, for a pod a previous run of the
 * simulation started: its containers keep their IDs, start times and restart counts.
 * Undefined when the status shows no started container.
 */
export function adoptPod(pod: Pod, now: Date): PodRuntime | undefined {
  const st = pod.status;
  const statuses = st?.containerStatuses ?? [];
  if (!statuses.some((s) => s.containerID)) return undefined;
  const runtime = acceptPod(pod, timeOf(st?.startTime) ?? now);
  if (st?.podIP) runtime.podIP = st.podIP;
  const adopt = (s: (typeof statuses)[number]): ContainerRun => {
    const run: ContainerRun = {
      name: s.name ?? '',
      image: s.image ?? '',
      containerID: s.containerID || newContainerID(),
      startedAt: timeOf(s.state?.running?.startedAt ?? s.state?.terminated?.startedAt) ?? now,
      restartCount: s.restartCount ?? 0,
    };
    const t = s.state?.terminated;
    if (t) run.exit = { exitCode: t.exitCode ?? 0, reason: t.reason ?? exitReason(t.exitCode ?? 0), finishedAt: timeOf(t.finishedAt) ?? now };
    return run;
  };
  runtime.init = (st?.initContainerStatuses ?? []).map(adopt);
  runtime.containers = statuses.map(adopt);
  return runtime;
}
