/**
 * The two kinds one replica controller serves, as upstream runs the ReplicaSet controller for
 * ReplicationControllers too: what differs is the client, the component that records events,
 * and the selector (a LabelSelector on ReplicaSets, a plain label map on ReplicationControllers).
 */
import type { ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { PodTemplateSpec } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import type { ReplicationController } from '../../../../gen/k8s/io/api/core/v1/replication.js';
import type { LabelSelector, ObjectMeta } from '../../../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { Clientset, ResourceClient } from '../../../client/index.js';

/** The status fields ReplicaSets and ReplicationControllers share. */
export interface ReplicaStatus {
  replicas?: number | undefined;
  fullyLabeledReplicas?: number | undefined;
  readyReplicas?: number | undefined;
  availableReplicas?: number | undefined;
  observedGeneration?: number | undefined;
  conditions: ReplicaCondition[];
}

export interface ReplicaCondition {
  type?: string | undefined;
  status?: string | undefined;
  lastTransitionTime?: { seconds?: number | undefined; nanos?: number | undefined } | undefined;
  reason?: string | undefined;
  message?: string | undefined;
}

/** What the replica controller needs of either kind. */
export interface Replicated {
  metadata?: ObjectMeta | undefined;
  spec?: { replicas?: number | undefined; minReadySeconds?: number | undefined; template?: PodTemplateSpec | undefined } | undefined;
  status?: ReplicaStatus | undefined;
}

export interface ReplicatedKind<T extends Replicated> {
  /** The controller's name in the controller manager. */
  name: string;
  /** The component its events come from. */
  component: string;
  client(cs: Clientset): ResourceClient<T, { items: T[] }>;
  /** The selector as a LabelSelector (undefined selects nothing). */
  selector(obj: T): LabelSelector | undefined;
}

export const REPLICA_SET_KIND: ReplicatedKind<ReplicaSet> = {
  name: 'replicaset',
  component: 'replicaset-controller',
  client: (cs) => cs.appsV1.replicaSets,
  selector: (rs) => rs.spec?.selector,
};

export const REPLICATION_CONTROLLER_KIND: ReplicatedKind<ReplicationController> = {
  name: 'replicationcontroller',
  component: 'replication-controller',
  client: (cs) => cs.coreV1.replicationControllers,
  selector: (rc) => {
    const labels = rc.spec?.selector ?? {};
    return Object.keys(labels).length === 0 ? undefined : { matchLabels: { ...labels }, matchExpressions: [] };
  },
};
