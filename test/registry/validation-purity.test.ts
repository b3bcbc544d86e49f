/**
 * Validation never mutates its input: every built-in definition's validate and
 * validateUpdate (main and status strategies, plus the generic metadata checks) run over
 * deep-frozen objects, valid and
 * invalid, and must neither throw nor change them. The definitions come from
 * builtinDefinitions, so a new kind is checked as soon as it is registered (and fails here
 * until it has a valid sample below).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../src/registry/generic/metadata.js';
import { storageView } from '../../src/registry/rest/served.js';
import type { ResourceDefinition } from '../../src/registry/rest/definition.js';
import { render } from './harness.js';
import { fixturePath, hasFixture } from '../machinery/fixture-files.js';
import { TEST_CA_PEM } from '../helpers/test-certs.js';


const podSpec = (restartPolicy?: string) => ({ containers: [{ name: 'c', image: 'busybox:1.36' }], ...(restartPolicy ? { restartPolicy } : {}) });

/** One valid object per kind (before prepareForCreate), keyed by `group/kind`. */
const VALID: Readonly<Record<string, KubeObject>> = {
  '/Namespace': {},
  '/ConfigMap': { data: { a: 'b' }, binaryData: { c: 'ZA==' } },
  '/Secret': { data: { a: 'Yg==' }, stringData: { s: 't' } },
  '/Pod': { spec: podSpec() },
  '/Service': { spec: { ports: [{ port: 80 }], selector: { app: 'web' } } },
  '/Endpoints': { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
  '/ServiceAccount': { imagePullSecrets: [{ name: 'pull' }] },
  '/Event': { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started' },
  '/ReplicationController': { spec: { replicas: 1, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec() } } },
  '/LimitRange': { spec: { limits: [{ type: 'Container', max: { cpu: '1' }, min: { cpu: '100m' } }] } },
  '/ResourceQuota': { spec: { hard: { pods: '10', 'requests.cpu': '2' }, scopes: ['NotTerminating'] } },
  '/Node': { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '1' } } },
  'apps/Deployment': {
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec() } },
  },
  'apps/ReplicaSet': {
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec() } },
  },
  '/PersistentVolume': { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } },
  '/PersistentVolumeClaim': { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  '/PodTemplate': { template: { metadata: { labels: { app: 'web' } }, spec: podSpec() } },
  '/Binding': { target: { kind: 'Node', name: 'node-1' } },
  'authentication.k8s.io/TokenReview': { spec: { token: 'abc' } },
  'authentication.k8s.io/SelfSubjectReview': {},
  'authorization.k8s.io/SubjectAccessReview': { spec: { user: 'bob', resourceAttributes: { verb: 'get', resource: 'pods' } } },
  'authorization.k8s.io/SelfSubjectAccessReview': { spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } },
  'authorization.k8s.io/LocalSubjectAccessReview': { spec: { user: 'bob', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } } },
  'authorization.k8s.io/SelfSubjectRulesReview': { spec: { namespace: 'default' } },
  '/ComponentStatus': { conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] },
  'apps/StatefulSet': {
    spec: {
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec() },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  },
  'apps/DaemonSet': {
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: podSpec() } },
  },
  'apps/ControllerRevision': { data: { spec: { template: {} } }, revision: 1 },
  'autoscaling/HorizontalPodAutoscaler': { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3 } },
  'batch/Job': { spec: { template: { spec: podSpec('Never') } } },
  'batch/CronJob': { spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: podSpec('OnFailure') } } } } },
  'rbac.authorization.k8s.io/Role': { rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] },
  'rbac.authorization.k8s.io/ClusterRole': {
    rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { rbac: 'view' } }] },
  },
  'rbac.authorization.k8s.io/RoleBinding': {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
  },
  'rbac.authorization.k8s.io/ClusterRoleBinding': {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
  },
  'scheduling.k8s.io/PriorityClass': { value: 1000, description: 'high' },
  'coordination.k8s.io/Lease': { spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } },
  'coordination.k8s.io/LeaseCandidate': { spec: { leaseName: 'kube-scheduler', binaryVersion: '1.33.0', emulationVersion: '1.32.0', strategy: 'OldestEmulationVersion' } },
  'certificates.k8s.io/ClusterTrustBundle': { spec: { trustBundle: TEST_CA_PEM } },
  'certificates.k8s.io/CertificateSigningRequest': { spec: { request: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIWE1IOENBUUF3SFRFTk1Bc0dBMVVFQXd3RWFtRnVaVEVNTUFvR0ExVUVDZ3dEWkdWMk1Ga3dFd1lIS29aSQp6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUU5cnNISExlOHBMYzZnYzFFNHZqQmR5dGFWb2w2eWpkUWJrWTZtdTFpCnVjZTFnZ3NCTCtIVmhKRVNVbStZQ1FIUUVob09DdTlBaEFudG4yWWlaQlJRWWFBQU1Bb0dDQ3FHU000OUJBTUMKQTBnQU1FVUNJSE5oTWxncTVCQ2lUNXAvWEFXUHNZcTl0RTh6NzF6NEMzK0xZV2t6YmxpVEFpRUF5ZXFtZWVMUgpoL0E0Y2w4YXZzc1QyaVpEOWhISXpGWE5XNjF5aUxqR0NaYz0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==', signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } },
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': {
    webhooks: [{ name: 'mutate.example.com', clientConfig: { service: { namespace: 'default', name: 'hook', port: 443 } }, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' }], sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, timeoutSeconds: 10, reinvocationPolicy: 'Never' }],
  },
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': {
    webhooks: [{ name: 'validate.example.com', clientConfig: { url: 'https://hooks.example.com/validate' }, rules: [{ operations: ['*'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'deployments/scale'] }], sideEffects: 'NoneOnDryRun', admissionReviewVersions: ['v1', 'v1beta1'], matchConditions: [{ name: 'not-system', expression: 'true' }] }],
  },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': {
    spec: { failurePolicy: 'Fail', paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, matchConstraints: { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, resourceRules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }] }, validations: [{ expression: 'object.spec.replicas <= 5', reason: 'Invalid' }], auditAnnotations: [{ key: 'replicas', valueExpression: 'string(object.spec.replicas)' }] },
  },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': {
    spec: { policyName: 'replicas', paramRef: { name: 'limits', namespace: 'default', parameterNotFoundAction: 'Deny' }, validationActions: ['Deny', 'Audit'] },
  },
  'admissionregistration.k8s.io/MutatingAdmissionPolicy': {
    spec: { failurePolicy: 'Fail', reinvocationPolicy: 'Never', matchConstraints: { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, resourceRules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] }, mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: 'Object{metadata: Object.metadata{labels: {"x": "y"}}}' } }] },
  },
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding': {
    spec: { policyName: 'add-label', paramRef: { name: 'labels', namespace: 'default', parameterNotFoundAction: 'Deny' }, matchResources: { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {} } },
  },
  'policy/PodDisruptionBudget': { spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } },
  'networking.k8s.io/Ingress': {
    spec: { rules: [{ host: 'example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
  },
  'networking.k8s.io/IngressClass': { spec: { controller: 'example.com/ingress', parameters: { kind: 'Params', name: 'p', scope: 'Cluster' } } },
  'networking.k8s.io/NetworkPolicy': {
    spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 80 }] }], policyTypes: ['Ingress'] },
  },
  'networking.k8s.io/IPAddress': { metadata: { name: '10.0.0.7' }, spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'web' } } },
  'networking.k8s.io/ServiceCIDR': { spec: { cidrs: ['10.96.0.0/16', 'fd00:10:96::/112'] } },
  'discovery.k8s.io/EndpointSlice': { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ name: 'http', protocol: 'TCP', port: 80 }] },
  'node.k8s.io/RuntimeClass': { handler: 'runc', overhead: { podFixed: { cpu: '100m' } } },
  'storage.k8s.io/StorageClass': { provisioner: 'example.com/disk', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' },
  'storage.k8s.io/VolumeAttachment': { spec: { attacher: 'disk.csi.example.com', nodeName: 'node-1', source: { persistentVolumeName: 'pv-1' } } },
  'storage.k8s.io/CSIDriver': {
    spec: { attachRequired: true, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'File', volumeLifecycleModes: ['Persistent'], requiresRepublish: false, seLinuxMount: false },
  },
  'storage.k8s.io/CSINode': { spec: { drivers: [{ name: 'disk.csi.example.com', nodeID: 'node-1', topologyKeys: ['topology.kubernetes.io/zone'] }] } },
  'storage.k8s.io/VolumeAttributesClass': { driverName: 'disk.csi.example.com', parameters: { iops: '3000' } },
  'resource.k8s.io/DeviceClass': { spec: { selectors: [{ cel: { expression: 'device.driver == "gpu.example.com"' } }] } },
  'resource.k8s.io/ResourceClaim': { spec: { devices: { requests: [{ name: 'gpu', deviceClassName: 'gpu.example.com', allocationMode: 'ExactCount', count: 1 }] } } },
  'resource.k8s.io/ResourceClaimTemplate': { spec: { spec: { devices: { requests: [{ name: 'gpu', deviceClassName: 'gpu.example.com', allocationMode: 'ExactCount', count: 1 }] } } } },
  'resource.k8s.io/ResourceSlice': { spec: { driver: 'gpu.example.com', nodeName: 'node-1', pool: { name: 'node-1', generation: 1, resourceSliceCount: 1 }, devices: [{ name: 'gpu-0', basic: { attributes: { model: { string: 'a100' } } } }] } },
  'resource.k8s.io/DeviceTaintRule': { spec: { deviceSelector: { driver: 'gpu.example.com' }, taint: { key: 'example.com/maintenance', effect: 'NoSchedule', timeAdded: '2025-01-01T00:00:00Z' } } },
  'storage.k8s.io/CSIStorageCapacity': { storageClassName: 'fast', capacity: '10Gi', nodeTopology: { matchLabels: { 'topology.kubernetes.io/zone': 'a' } } },
  'flowcontrol.apiserver.k8s.io/FlowSchema': {
    spec: {
      priorityLevelConfiguration: { name: 'workload-low' },
      matchingPrecedence: 500,
      distinguisherMethod: { type: 'ByUser' },
      rules: [
        {
          subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'default', name: '*' } }],
          resourceRules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], namespaces: ['default'] }],
          nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
        },
      ],
    },
  },
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': {
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: 10, limitResponse: { type: 'Queue', queuing: { queues: 16, handSize: 4, queueLengthLimit: 20 } } } },
  },
  'storagemigration.k8s.io/StorageVersionMigration': { spec: { resource: { group: 'apps', version: 'v1', resource: 'deployments' } } },
  'internal.apiserver.k8s.io/StorageVersion': { spec: {}, status: {} },
};

/** Objects no kind accepts as they are, or that miss most of what a kind needs. */
const INVALID: readonly KubeObject[] = [
  {},
  { spec: {}, status: {} },
  { spec: { containers: [{}], ports: [{ port: -1 }], selector: {}, template: {}, taints: [{}] }, data: { 'a b': '!' } },
];

/** Recursively freezes a plain JSON value; writes to it then throw (test modules are strict). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function withMeta(def: ResourceDefinition, obj: KubeObject, name: string): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata = {
    name,
    uid: '6f0c7b1e-5f2a-4c8e-9a57-3b1f0d2c4e6a',
    creationTimestamp: '2024-01-01T00:00:00Z',
    ...(def.namespaced ? { namespace: 'default' } : {}),
    ...copy.metadata,
  };
  return copy;
}

function fixtureOf(def: ResourceDefinition): KubeObject | undefined {
  const name = `${def.group || 'core'}.${def.storageVersion}.${def.kind}`;
  return hasFixture(name) ? (JSON.parse(readFileSync(fixturePath(`${name}.json`), 'utf8')) as KubeObject) : undefined;
}

/** A created object as the store would store it: metadata filled, prepareForCreate applied. */
function prepared(def: ResourceDefinition, obj: KubeObject, name: string): KubeObject {
  const created = withMeta(def, obj, name);
  def.strategy.prepareForCreate?.(created);
  return created;
}

/** Runs `fn` over frozen objects and checks they are unchanged afterwards. */
function runFrozen(label: string, objects: KubeObject[], fn: () => unknown): void {
  const before = objects.map((o) => JSON.stringify(o));
  objects.forEach(deepFreeze);
  assert.doesNotThrow(fn, `${label} wrote to its input`);
  assert.deepEqual(objects.map((o) => JSON.stringify(o)), before, `${label} changed its input`);
}

describe('validation never mutates its input', () => {
  for (const def of builtinDefinitions) {
    const key = `${def.group}/${def.kind}`;
    describe(key, () => {
      const sample = VALID[key];

      it('has a valid sample that validates cleanly', () => {
        assert.ok(sample, `add a valid ${key} to VALID`);
        const obj = prepared(def, sample, 'valid');
        assert.deepEqual(render(def.strategy.validate?.(obj) ?? []), []);
        const next = structuredClone(obj);
        def.strategy.prepareForUpdate?.(next, obj);
        assert.deepEqual(render(def.strategy.validateUpdate?.(next, obj) ?? []), []);
      });

      const inputs = (): Array<[string, KubeObject]> => {
        const list: Array<[string, KubeObject]> = INVALID.map((o, i) => [`invalid #${i}`, o]);
        if (sample) list.unshift(['valid', sample]);
        const fixture = fixtureOf(def);
        if (fixture) list.push(['fixture', fixture]);
        return list;
      };

      it('validate leaves frozen objects alone, prepared or not', () => {
        for (const [label, raw] of inputs()) {
          for (const obj of [withMeta(def, raw, 'raw'), prepared(def, raw, 'prep')]) {
            runFrozen(`${key} validate (${label})`, [obj], () => [...validateObjectMeta(storageView(def), obj), ...(def.strategy.validate?.(obj) ?? [])]);
          }
        }
      });

      it('validateUpdate leaves frozen objects alone, main and status', () => {
        const old = sample ? prepared(def, sample, 'same') : withMeta(def, {}, 'same');
        for (const [label, raw] of inputs()) {
          for (const strategy of [def.strategy, def.statusStrategy]) {
            if (!strategy) continue;
            const unprepared = withMeta(def, raw, 'same');
            const next = withMeta(def, raw, 'same');
            strategy.prepareForUpdate?.(next, structuredClone(old));
            for (const obj of [unprepared, next]) {
              const prev = structuredClone(old);
              runFrozen(`${key} validateUpdate (${label})`, [obj, prev], () => [
                ...validateObjectMetaUpdate(storageView(def), obj, prev),
                ...(strategy.validateUpdate?.(obj, prev) ?? []),
              ]);
            }
          }
        }
      });
    });
  }
});
