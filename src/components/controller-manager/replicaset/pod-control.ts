/**
 * Creating and deleting a controller's pods, as upstream's RealPodControl: a pod from the
 * template (its labels, annotations and finalizers, the spec as is) named by `generateName`
 * `<controller>-`, controlled by the controller; an Event on the controller for each outcome
 * (SuccessfulCreate "Created pod: NAME", FailedCreate "Error creating: ERR", SuccessfulDelete
 * "Deleted pod: NAME", FailedDelete "Error deleting: ERR").
 */
import type { Pod, PodTemplateSpec } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { ObjectReference } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { Clientset, EventRecorder } from '../../../client/index.js';
import { reasonOf } from './errors.js';

/** The generateName prefix for a controller's pods (upstream's getPodsPrefix; names are DNS subdomains). */
export function podsPrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  return prefix.length <= 253 ? prefix : controllerName;
}

/** The pod a controller creates from its template (upstream's GetPodFromTemplate). */
export function podFromTemplate(template: PodTemplateSpec, namespace: string, controllerName: string, ref: OwnerReference): Pod {
  const meta = template.metadata;
  return {
    metadata: {
      generateName: podsPrefix(controllerName),
      namespace,
      labels: { ...(meta?.labels ?? {}) },
      annotations: { ...(meta?.annotations ?? {}) },
      finalizers: [...(meta?.finalizers ?? [])],
      ownerReferences: [{ ...ref }],
      managedFields: [],
    },
    spec: structuredClone(template.spec),
  } as Pod;
}

export class PodControl {
  constructor(
    private readonly cs: Clientset,
    private readonly recorder: EventRecorder,
  ) {}

  /** Creates one pod from `template` for the controller `owner` (referenced by `ownerEvent`). */
  async createPod(namespace: string, template: PodTemplateSpec, controllerName: string, ref: OwnerReference, ownerEvent: ObjectReference): Promise<Pod> {
    const pod = podFromTemplate(template, namespace, controllerName, ref);
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.cs.coreV1.pods.create(pod, { namespace });
      void this.recorder.event(ownerEvent, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
      return created;
    } catch (err) {
      // A namespace being terminated refuses creations; upstream records no event then.
      if (!String((err as Error).message ?? '').includes('because it is being terminated')) {
        void this.recorder.event(ownerEvent, 'Warning', 'FailedCreate', `Error creating: ${errorText(err)}`);
      }
      throw err;
    }
  }

  /** Deletes the pod `name`; NotFound is passed to the caller (upstream records no event for it). */
  async deletePod(namespace: string, name: string, ownerEvent: ObjectReference): Promise<void> {
    try {
      await this.cs.coreV1.pods.delete(name, { namespace });
      void this.recorder.event(ownerEvent, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      if (reasonOf(err) !== 'NotFound') void this.recorder.event(ownerEvent, 'Warning', 'FailedDelete', `Error deleting: ${errorText(err)}`);
      throw err;
    }
  }
}

/** The error's message as Go's %v of a StatusError prints it. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
