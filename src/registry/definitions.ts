/**
 * Every built-in resource the server serves, in a stable order (core first, then by
 * group). Discovery, routes and gRPC services are derived from this list.
 */
import { deployments } from './apps/deployments.js';
import { replicaSets } from './apps/replicasets.js';
import { horizontalPodAutoscalers } from './autoscaling/horizontalpodautoscalers.js';
import { cronJobs } from './batch/cronjobs.js';
import { jobs } from './batch/jobs.js';
import { configMaps } from './core/configmaps.js';
import { endpoints } from './core/endpoints.js';
import { events } from './core/events.js';
import { limitRanges } from './core/limitranges.js';
import { namespaces } from './core/namespaces.js';
import { nodes } from './core/nodes.js';
import { pods } from './core/pods.js';
import { replicationControllers } from './core/replicationcontrollers.js';
import { resourceQuotas } from './core/resourcequotas.js';
import { secrets } from './core/secrets.js';
import { serviceAccounts } from './core/serviceaccounts.js';
import { services } from './core/services.js';
import { endpointSlices } from './discovery/endpointslices.js';
import { ingressClasses } from './networking/ingressclasses.js';
import { ingresses } from './networking/ingresses.js';
import { networkPolicies } from './networking/networkpolicies.js';
import { runtimeClasses } from './node/runtimeclasses.js';
import { storageClasses } from './storage/storageclasses.js';
import type { ResourceDefinition } from './rest/definition.js';

/** The built-in resources: core first, then the named groups. */
export const builtinDefinitions: ResourceDefinition[] = [
  namespaces,
  configMaps,
  secrets,
  pods,
  services,
  endpoints,
  serviceAccounts,
  events,
  limitRanges,
  resourceQuotas,
  replicationControllers,
  nodes,
  deployments,
  replicaSets,
  horizontalPodAutoscalers,
  jobs,
  cronJobs,
  ingresses,
  ingressClasses,
  networkPolicies,
  endpointSlices,
  runtimeClasses,
  storageClasses,
];
