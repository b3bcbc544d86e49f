/**
 * Every built-in resource the server serves, in a stable order (core first, then by
 * group). Discovery, routes and gRPC services are derived from this list.
 */
import { certificateSigningRequests } from './certificates/certificatesigningrequests.js';
import { clusterTrustBundles } from './certificates/clustertrustbundles.js';
import { mutatingAdmissionPolicies } from './admissionregistration/mutatingadmissionpolicies.js';
import { mutatingAdmissionPolicyBindings } from './admissionregistration/mutatingadmissionpolicybindings.js';
import { mutatingWebhookConfigurations } from './admissionregistration/mutatingwebhookconfigurations.js';
import { validatingAdmissionPolicies } from './admissionregistration/validatingadmissionpolicies.js';
import { validatingAdmissionPolicyBindings } from './admissionregistration/validatingadmissionpolicybindings.js';
import { validatingWebhookConfigurations } from './admissionregistration/validatingwebhookconfigurations.js';
import { deployments } from './apps/deployments.js';
import { controllerRevisions } from './apps/controllerrevisions.js';
import { daemonSets } from './apps/daemonsets.js';
import { replicaSets } from './apps/replicasets.js';
import { statefulSets } from './apps/statefulsets.js';
import { horizontalPodAutoscalers } from './autoscaling/horizontalpodautoscalers.js';
import { cronJobs } from './batch/cronjobs.js';
import { jobs } from './batch/jobs.js';
import { bindings } from './core/bindings.js';
import { componentStatuses } from './core/componentstatuses.js';
import { selfSubjectReviews, tokenReviews } from './authentication/reviews.js';
import { localSubjectAccessReviews, selfSubjectAccessReviews, selfSubjectRulesReviews, subjectAccessReviews } from './authorization/reviews.js';
import { configMaps } from './core/configmaps.js';
import { endpoints } from './core/endpoints.js';
import { events } from './core/events.js';
import { limitRanges } from './core/limitranges.js';
import { namespaces } from './core/namespaces.js';
import { nodes } from './core/nodes.js';
import { persistentVolumeClaims } from './core/persistentvolumeclaims.js';
import { persistentVolumes } from './core/persistentvolumes.js';
import { pods } from './core/pods.js';
import { podTemplates } from './core/podtemplates.js';
import { replicationControllers } from './core/replicationcontrollers.js';
import { resourceQuotas } from './core/resourcequotas.js';
import { secrets } from './core/secrets.js';
import { serviceAccounts } from './core/serviceaccounts.js';
import { services } from './core/services.js';
import { leaseCandidates } from './coordination/leasecandidates.js';
import { leases } from './coordination/leases.js';
import { podDisruptionBudgets } from './policy/poddisruptionbudgets.js';
import { clusterRoleBindings } from './rbac/clusterrolebindings.js';
import { clusterRoles } from './rbac/clusterroles.js';
import { roleBindings } from './rbac/rolebindings.js';
import { roles } from './rbac/roles.js';
import { endpointSlices } from './discovery/endpointslices.js';
import { ingressClasses } from './networking/ingressclasses.js';
import { ingresses } from './networking/ingresses.js';
import { ipAddresses } from './networking/ipaddresses.js';
import { networkPolicies } from './networking/networkpolicies.js';
import { serviceCidrs } from './networking/servicecidrs.js';
import { runtimeClasses } from './node/runtimeclasses.js';
import { csiDrivers } from './storage/csidrivers.js';
import { csiNodes } from './storage/csinodes.js';
import { csiStorageCapacities } from './storage/csistoragecapacities.js';
import { storageClasses } from './storage/storageclasses.js';
import { volumeAttachments } from './storage/volumeattachments.js';
import { volumeAttributesClasses } from './storage/volumeattributesclasses.js';
import { storageVersionMigrations } from './storagemigration/storageversionmigrations.js';
import { storageVersions } from './apiserverinternal/storageversions.js';
import { deviceClasses } from './resource/deviceclasses.js';
import { resourceClaims } from './resource/resourceclaims.js';
import { resourceClaimTemplates } from './resource/resourceclaimtemplates.js';
import { resourceSlices } from './resource/resourceslices.js';
import { deviceTaintRules } from './resource/devicetaintrules.js';
import { flowSchemas } from './flowcontrol/flowschemas.js';
import { priorityLevelConfigurations } from './flowcontrol/prioritylevelconfigurations.js';
import type { ResourceDefinition } from './rest/definition.js';
import { priorityClasses } from './scheduling/priorityclasses.js';

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
  persistentVolumes,
  persistentVolumeClaims,
  podTemplates,
  bindings,
  componentStatuses,
  deployments,
  replicaSets,
  statefulSets,
  daemonSets,
  controllerRevisions,
  horizontalPodAutoscalers,
  jobs,
  cronJobs,
  tokenReviews,
  selfSubjectReviews,
  subjectAccessReviews,
  selfSubjectAccessReviews,
  localSubjectAccessReviews,
  selfSubjectRulesReviews,
  roles,
  clusterRoles,
  roleBindings,
  clusterRoleBindings,
  priorityClasses,
  leases,
  leaseCandidates,
  certificateSigningRequests,
  clusterTrustBundles,
  mutatingWebhookConfigurations,
  validatingWebhookConfigurations,
  validatingAdmissionPolicies,
  validatingAdmissionPolicyBindings,
  mutatingAdmissionPolicies,
  mutatingAdmissionPolicyBindings,
  podDisruptionBudgets,
  ingresses,
  ingressClasses,
  networkPolicies,
  ipAddresses,
  serviceCidrs,
  endpointSlices,
  runtimeClasses,
  storageClasses,
  volumeAttachments,
  csiDrivers,
  csiNodes,
  csiStorageCapacities,
  volumeAttributesClasses,
  flowSchemas,
  priorityLevelConfigurations,
  storageVersionMigrations,
  storageVersions,
  deviceClasses,
  resourceClaims,
  resourceClaimTemplates,
  resourceSlices,
  deviceTaintRules,
];
