/**
 * The API Priority and Fairness configuration every kube-apiserver 1.33 keeps in its store
 * (k8s.io/apiserver's flowcontrol bootstrap set), as data: the mandatory objects (the
 * `exempt` and `catch-all` priority levels and FlowSchemas, whose specs are fixed) and the
 * suggested ones (which an operator may change once they set the autoupdate annotation to
 * "false"). Each carries `apf.kubernetes.io/autoupdate-spec: "true"`.
 */
import type {
  FlowSchema,
  FlowSchemaSpec,
  LimitedPriorityLevelConfiguration,
  PolicyRulesWithSubjects,
  PriorityLevelConfiguration,
  PriorityLevelConfigurationSpec,
  ResourcePolicyRule,
  Subject,
} from '../../../gen/kube/flowcontrol-v1.js';

/** The annotation that says whether the server keeps an object's spec at its bootstrap value. */
export const AUTO_UPDATE_ANNOTATION = 'apf.kubernetes.io/autoupdate-spec';

const ALL = '*';

const groupSubjects = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', group: { name } }));
const userSubjects = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemAccounts = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } }));

function resourceRule(verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean): ResourcePolicyRule {
  return { verbs, apiGroups, resources, clusterScope, namespaces };
}

/** Every request of the subjects: every resource everywhere and every non-resource path. */
function everything(subjects: Subject[]): PolicyRulesWithSubjects {
  return {
    subjects,
    resourceRules: [resourceRule([ALL], [ALL], [ALL], [ALL], true)],
    nonResourceRules: [{ verbs: [ALL], nonResourceURLs: [ALL] }],
  };
}

function flowSchema(name: string, priorityLevel: string, matchingPrecedence: number, distinguisher: string, ...rules: PolicyRulesWithSubjects[]): FlowSchema {
  const spec: FlowSchemaSpec = { priorityLevelConfiguration: { name: priorityLevel }, matchingPrecedence };
  if (distinguisher) spec.distinguisherMethod = { type: distinguisher };
  spec.rules = rules;
  return { metadata: { name, annotations: { [AUTO_UPDATE_ANNOTATION]: 'true' } }, spec };
}

function priorityLevel(name: string, spec: PriorityLevelConfigurationSpec): PriorityLevelConfiguration {
  return { metadata: { name, annotations: { [AUTO_UPDATE_ANNOTATION]: 'true' } }, spec };
}

/** A limited level that queues: shares, lendable percentage and its queues. */
function queuingLevel(name: string, shares: number, lendablePercent: number, queues: number, handSize: number): PriorityLevelConfiguration {
  const limited: LimitedPriorityLevelConfiguration = {
    nominalConcurrencyShares: shares,
    limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit: 50 } },
    lendablePercent,
  };
  return priorityLevel(name, { type: 'Limited', limited });
}

const UNAUTHENTICATED = 'system:unauthenticated';
const AUTHENTICATED = 'system:authenticated';
const NODES = 'system:nodes';
const CONTROLLER_MANAGER = 'system:kube-controller-manager';
const SCHEDULER = 'system:kube-scheduler';

/** The mandatory priority levels, in upstream's order. */
export const MANDATORY_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [
  priorityLevel('catch-all', { type: 'Limited', limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } } }),
  priorityLevel('exempt', { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }),
];

/** The mandatory FlowSchemas. */
export const MANDATORY_FLOW_SCHEMAS: readonly FlowSchema[] = [
  flowSchema('exempt', 'exempt', 1, '', everything(groupSubjects('system:masters'))),
  flowSchema('catch-all', 'catch-all', 10000, 'ByUser', everything(groupSubjects(UNAUTHENTICATED, AUTHENTICATED))),
];

/** The suggested priority levels. */
export const SUGGESTED_PRIORITY_LEVELS: readonly PriorityLevelConfiguration[] = [
  queuingLevel('system', 30, 33, 64, 6),
  queuingLevel('node-high', 40, 25, 64, 6),
  queuingLevel('leader-election', 10, 0, 16, 4),
  queuingLevel('workload-high', 40, 50, 128, 6),
  queuingLevel('workload-low', 100, 90, 128, 6),
  queuingLevel('global-default', 20, 50, 128, 6),
];

const GET_CREATE_UPDATE = ['get', 'create', 'update'];

/** The suggested FlowSchemas. */
export const SUGGESTED_FLOW_SCHEMAS: readonly FlowSchema[] = [
  flowSchema('system-nodes', 'system', 500, 'ByUser', everything(groupSubjects(NODES))),
  flowSchema('system-node-high', 'node-high', 400, 'ByUser', {
    subjects: groupSubjects(NODES),
    resourceRules: [resourceRule([ALL], [''], ['nodes', 'nodes/status'], [ALL], true), resourceRule([ALL], ['coordination.k8s.io'], ['leases'], [ALL], false)],
  }),
  flowSchema('probes', 'exempt', 2, '', {
    subjects: groupSubjects(UNAUTHENTICATED, AUTHENTICATED),
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }],
  }),
  flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', {
    subjects: [...userSubjects(CONTROLLER_MANAGER, SCHEDULER), ...kubeSystemAccounts(ALL)],
    resourceRules: [resourceRule(GET_CREATE_UPDATE, ['coordination.k8s.io'], ['leases'], [ALL], false)],
  }),
  flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', {
    subjects: kubeSystemAccounts(ALL),
    resourceRules: [
      resourceRule(GET_CREATE_UPDATE, [''], ['endpoints', 'configmaps'], [ALL], false),
      resourceRule(GET_CREATE_UPDATE, ['coordination.k8s.io'], ['leases'], [ALL], false),
    ],
  }),
  flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser', {
    subjects: [...userSubjects(CONTROLLER_MANAGER), ...kubeSystemAccounts('endpoint-controller', 'endpointslicemirroring-controller')],
    resourceRules: [resourceRule(GET_CREATE_UPDATE, [''], ['endpoints'], [ALL], false)],
  }),
  flowSchema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', everything(userSubjects(CONTROLLER_MANAGER))),
  flowSchema('kube-scheduler', 'workload-high', 800, 'ByNamespace', everything(userSubjects(SCHEDULER))),
  flowSchema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', everything(kubeSystemAccounts(ALL))),
  flowSchema('service-accounts', 'workload-low', 9000, 'ByUser', everything(groupSubjects('system:serviceaccounts'))),
  flowSchema('global-default', 'global-default', 9900, 'ByUser', everything(groupSubjects(UNAUTHENTICATED, AUTHENTICATED))),
];

/** The mandatory object of that name, if there is one. */
export const mandatoryPriorityLevel = (name: string): PriorityLevelConfiguration | undefined => MANDATORY_PRIORITY_LEVELS.find((p) => p.metadata?.name === name);
export const mandatoryFlowSchema = (name: string): FlowSchema | undefined => MANDATORY_FLOW_SCHEMAS.find((f) => f.metadata?.name === name);
