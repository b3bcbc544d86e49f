/**
 * wheelhouse/client: the SDK for in-cluster components over gRPC. A clientset with a typed
 * client per group/version/kind, informers with listers and indexers, a rate-limited work
 * queue, leader election over Leases, an event recorder, and credentials from kubeconfig,
 * client certificates, bearer or ServiceAccount tokens. It imports nothing from the server.
 */
export { connect, type Clientset } from './clientset.js';
export type { DeepPartial } from './resource-client.js';
export { Connection, type CallOpts, type ConnectOptions } from './connection.js';
export { defaultKubeconfigPath, loadKubeconfig, type KubeconfigCredentials } from './kubeconfig.js';
export { hasReason, isAlreadyExists, isConflict, isExpired, isNotFound, StatusError, statusErrorFrom } from './errors.js';
export {
  DEFAULT_PAGE_SIZE,
  PATCH_MEDIA_TYPES,
  type DeleteCollectionOpts,
  type DeleteOpts,
  type GetOpts,
  type ListOpts,
  type PatchOpts,
  type PatchType,
  type ResourceClient,
  type ResourceFacts,
  type WatchOpts,
  type WriteOpts,
} from './resource-client.js';
export { type WatchEvent, type WatchEventType, type WatchStream } from './watch.js';
export { Indexer, keyOf, NAMESPACE_INDEX, splitKey, type IndexFunc, type Meta } from './indexer.js';
export { Informer, type EventHandler, type InformerOptions } from './informer.js';
export { SharedInformerFactory, type SharedInformerFactoryOptions } from './shared-informer-factory.js';
export { lister, type Lister, type SelectorLike } from './lister.js';
export { parseLabelSelector, type LabelPredicate } from './label-selector.js';
export { ExponentialRateLimiter, RateLimitingQueue, runWorkers, type RateLimiter } from './workqueue.js';
export { LeaderElector, runLeaderElection, type LeaderElectionConfig } from './leader-election.js';
export { EventRecorder, objectReference, type EventRecorderOptions, type EventType } from './events.js';
export { sleep } from './sleep.js';
export { COMPONENT_FLAGS_HELP, parseComponentFlags, parseDuration, type ComponentFlags, type LeaderElectionFlags } from './component-cli.js';
export * from './values.js';
