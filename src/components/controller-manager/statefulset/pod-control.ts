/**
 * Creating and deleting a StatefulSet's pods and claims, with upstream's Events
 * (StatefulPodControl): `create Pod web-0 in StatefulSet web successful`,
 * `create Claim www-web-0 Pod web-0 in StatefulSet web success`, `delete Pod web-1 in StatefulSet web successful`,
 * and FailedCreate / FailedDelete with the error on failure.
 */
import type { StatefulSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { objectReference, StatusError, type Clientset, type EventRecorder } from '../../../client/index.js';
import { claimsFor, ordinalOf } from './identity.js';

function isAlreadyExists(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'AlreadyExists';
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.reason === 'NotFound';
}

export class StatefulPodControl {
  constructor(
    private readonly cs: Clientset,
    private readonly recorder: EventRecorder,
  ) {}

  private podEvent(set: StatefulSet, verb: 'Create' | 'Delete', pod: Pod, err?: unknown): void {
    const ref = objectReference(this.cs.appsV1.statefulSets, set);
    const what = `${verb.toLowerCase()} Pod ${pod.metadata?.name ?? ''} in StatefulSet ${set.metadata?.name ?? ''}`;
    if (err === undefined) this.recorder.event(ref, 'Normal', `Successful${verb}`, `${what} successful`);
    else this.recorder.event(ref, 'Warning', `Failed${verb}`, `${what} failed error: ${(err as Error).message}`);
  }

  private claimEvent(set: StatefulSet, pod: Pod, claim: string, err?: unknown): void {
    const ref = objectReference(this.cs.appsV1.statefulSets, set);
    const what = `create Claim ${claim} Pod ${pod.metadata?.name ?? ''} in StatefulSet ${set.metadata?.name ?? ''}`;
    if (err === undefined) this.recorder.event(ref, 'Normal', 'SuccessfulCreate', `${what} success`);
    else this.recorder.event(ref, 'Warning', 'FailedCreate', `${what} failed error: ${(err as Error).message}`);
  }

  /** Creates the pod's missing claims (kept after the pod by default), then the pod. */
  async createPod(set: StatefulSet, pod: Pod): Promise<void> {
    const namespace = set.metadata?.namespace;
    const deleteWithSet = set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const name = claim.metadata?.name ?? '';
      try {
        await this.cs.coreV1.persistentVolumeClaims.get(name, { namespace });
        continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      // whenDeleted: Delete makes the set an owner (not the controller), so the garbage collector removes the claim with it.
      if (deleteWithSet) claim.metadata!.ownerReferences = (pod.metadata?.ownerReferences ?? []).map((r) => ({ ...r, controller: undefined, blockOwnerDeletion: undefined }));
      try {
        await this.cs.coreV1.persistentVolumeClaims.create(claim, { namespace });
        this.claimEvent(set, pod, name);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.claimEvent(set, pod, name, err);
        throw err;
      }
    }
    try {
      await this.cs.coreV1.pods.create(pod, { namespace });
      this.podEvent(set, 'Create', pod);
    } catch (err) {
      // The cache lagged: the pod is there already.
      if (isAlreadyExists(err)) return;
      this.podEvent(set, 'Create', pod, err);
      throw err;
    }
  }

  /**
   * Before a scale-down deletes `pod`: with persistentVolumeClaimRetentionPolicy.whenScaled
   * Delete, its claims get the pod as an owner, so the garbage collector removes them with it.
   */
  async ownClaimsByPod(set: StatefulSet, pod: Pod): Promise<void> {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    const owner = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid };
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const name = claim.metadata?.name ?? '';
      try {
        const existing = await this.cs.coreV1.persistentVolumeClaims.get(name, { namespace: set.metadata?.namespace });
        if (existing.metadata?.ownerReferences.some((r) => r.uid === owner.uid)) continue;
        await this.cs.coreV1.persistentVolumeClaims.patch(name, 'strategic', { metadata: { ownerReferences: [owner], uid: existing.metadata?.uid } }, { namespace: set.metadata?.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** Deletes the pod (its claims stay unless they are owned by it). */
  async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.cs.coreV1.pods.delete(pod.metadata?.name ?? '', {
        namespace: pod.metadata?.namespace,
        preconditions: { uid: pod.metadata?.uid },
      });
      this.podEvent(set, 'Delete', pod);
    } catch (err) {
      if (isNotFound(err)) return;
      this.podEvent(set, 'Delete', pod, err);
      throw err;
    }
  }
}
