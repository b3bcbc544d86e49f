/**
 * The pod a Job creates: its template with the job-tracking finalizer and a controller
 * reference to the Job, named `<job>-<random>`; an Indexed Job's pod also carries its
 * completion index (annotation and label), the JOB_COMPLETION_INDEX variable in every
 * container, hostname `<job>-<index>` and the name prefix `<job>-<index>-`.
 */
import type { Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import { Pod, PodSpec, type Container } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { ownerReferenceTo, type ResourceFacts } from '../../../client/index.js';
import { JOB_COMPLETION_INDEX, JOB_COMPLETION_INDEX_ENV, JOB_TRACKING_FINALIZER } from './names.js';
import { UNKNOWN_INDEX } from './pod-state.js';

/** Longest generateName prefix the server accepts before it appends 5 random characters. */
const MAX_PREFIX = 63 - 5;

function prefix(base: string): string {
  return base.length > MAX_PREFIX ? base.slice(0, MAX_PREFIX) : base;
}

function withIndexEnv(containers: Container[]): Container[] {
  return containers.map((c) => {
    if ((c.env ?? []).some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) return c;
    const env = [
      ...(c.env ?? []),
      { name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } },
    ];
    return { ...c, env };
  });
}

/** The pod to create for `job`, for completion `index` (UNKNOWN_INDEX when NonIndexed). */
export function podForJob(job: Job, jobFacts: Pick<ResourceFacts, 'group' | 'version' | 'kind'>, index: number = UNKNOWN_INDEX): Pod {
  const template = structuredClone(job.spec?.template ?? {});
  const name = job.metadata?.name ?? '';
  const meta = template.metadata;
  const finalizers = [...(meta?.finalizers ?? [])];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
  const labels = { ...(meta?.labels ?? {}) };
  const annotations = { ...(meta?.annotations ?? {}) };
  const spec: PodSpec = template.spec ?? PodSpec.fromPartial({});
  let generateName = prefix(`${name}-`);
  if (index !== UNKNOWN_INDEX) {
    annotations[JOB_COMPLETION_INDEX] = String(index);
    labels[JOB_COMPLETION_INDEX] = String(index);
    spec.hostname = `${name}-${index}`;
    spec.containers = withIndexEnv(spec.containers ?? []);
    spec.initContainers = withIndexEnv(spec.initContainers ?? []);
    generateName = prefix(`${name}-${index}-`);
  }
  return Pod.fromPartial({
    metadata: {
      generateName,
      namespace: job.metadata?.namespace,
      labels,
      annotations,
      finalizers,
      ownerReferences: [ownerReferenceTo(jobFacts, job)],
    },
    spec,
  });
}
