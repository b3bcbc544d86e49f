/**
 * Creating and deleting daemon pods with upstream's Events (controller.RealPodControl):
 * SuccessfulCreate `Created pod: NAME`, SuccessfulDelete `Deleted pod: NAME`, FailedCreate
 * `Error creating: ERR`, FailedDelete `Error deleting: ERR`.
 */
import type { DaemonSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { OwnerReference } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { Pod, type PodTemplateSpec } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { objectReference, StatusError, type Clientset, type EventRecorder } from '../../../client/index.js';
import { withNodeNameAffinity } from './pod-template.js';

export class DaemonPodControl {
  constructor(
    private readonly cs: Clientset,
    private readonly recorder: EventRecorder,
  ) {}

  /** Creates a pod from `template` meant for `nodeName` (the scheduler binds it there). */
  async createPod(ds: DaemonSet, template: PodTemplateSpec, nodeName: string, owner: OwnerReference): Promise<string> {
    const ref = objectReference(this.cs.appsV1.daemonSets, ds);
    const pod = Pod.fromPartial({
      metadata: {
        generateName: `${ds.metadata?.name ?? ''}-`,
        namespace: ds.metadata?.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: { ...(template.metadata?.annotations ?? {}) },
        finalizers: [...(template.metadata?.finalizers ?? [])],
        ownerReferences: [owner],
      },
      spec: template.spec ?? {},
    });
    pod.spec!.affinity = withNodeNameAffinity(pod.spec!.affinity, nodeName);
    try {
      const created = await this.cs.coreV1.pods.create(pod, { namespace: ds.metadata?.namespace });
      this.recorder.event(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
      return created.metadata?.name ?? '';
    } catch (err) {
      this.recorder.event(ref, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Deletes the named pod; one already gone counts as deleted. */
  async deletePod(ds: DaemonSet, name: string): Promise<void> {
    const ref = objectReference(this.cs.appsV1.daemonSets, ds);
    try {
      await this.cs.coreV1.pods.delete(name, { namespace: ds.metadata?.namespace });
      this.recorder.event(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'NotFound') return;
      this.recorder.event(ref, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }
}
