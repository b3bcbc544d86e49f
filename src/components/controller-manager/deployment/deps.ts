/** What the Deployment sync steps share: the clients, the recorder, the ReplicaSet cache and the queue. */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { objectReference, type Clientset, type EventRecorder, type Lister, type RateLimitingQueue } from '../../../client/index.js';

export interface Deps {
  cs: Clientset;
  recorder: EventRecorder;
  replicaSets: Lister<ReplicaSet>;
  queue: RateLimitingQueue<string>;
}

/** Records a Normal or Warning event on the Deployment. */
export function recordEvent(deps: Deps, d: Deployment, type: 'Normal' | 'Warning', reason: string, message: string): void {
  void deps.recorder.event(objectReference(deps.cs.appsV1.deployments, d), type, reason, message);
}
