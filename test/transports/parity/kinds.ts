/**
 * The kind the parity test exercises for each served API group, and what it writes:
 * the object (spec and the rest, without metadata), a change for Update, and, where the
 * kind has them, status and approval contents and action bodies. A step number lets each
 * write of a subresource change something, so that no write of the sequence is a no-op.
 */
import assert from 'node:assert/strict';
import type { Json } from './transports.js';

/** What the test sets up before the kinds run. */
export interface Fixtures {
  namespace: string;
  /** A ServiceAccount token (TokenRequest) of `reviewer` in the namespace. */
  token: string;
  reviewer: string;
}

export interface KindCase {
  group: string;
  resource: string;
  /** The object's content apart from metadata (a create-only review's whole body). */
  object(fixtures: Fixtures): Json;
  /** Content that makes the object Invalid; by default its name is invalid (not a DNS subdomain). */
  invalid?: Json;
  /** Update's change to the current object; by default a label. */
  update?(current: Json): Json;
  /** The status content written at one step (0: UpdateStatus, 1..: the patches). */
  status?(step: number, current: Json): Json;
  /** The CertificateSigningRequest approval's status content at one step. */
  approval?(step: number, current: Json): Json;
  /** Action bodies by method key (Kubernetes JSON; the test adds metadata.name). */
  actions?: Record<string, Json>;
  /** A create-only review: what its answer must say (the same over both transports). */
  checkReview?(reply: Json, fixtures: Fixtures): void;
  /** A create-only review: a body the server refuses (an object, or raw JSON bytes), with the reason it answers. */
  invalidReview?: { body: Json | string; reason: string };
}

/** PEM request made by openssl (CN=jane, P-256), base64 as JSON carries bytes. */
const CSR_PEM = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIWE1IOENBUUF3SFRFTk1Bc0dBMVVFQXd3RWFtRnVaVEVNTUFvR0ExVUVDZ3dEWkdWMk1Ga3dFd1lIS29aSQp6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUU5cnNISExlOHBMYzZnYzFFNHZqQmR5dGFWb2w2eWpkUWJrWTZtdTFpCnVjZTFnZ3NCTCtIVmhKRVNVbStZQ1FIUUVob09DdTlBaEFudG4yWWlaQlJRWWFBQU1Bb0dDQ3FHU000OUJBTUMKQTBnQU1FVUNJSE5oTWxncTVCQ2lUNXAvWEFXUHNZcTl0RTh6NzF6NEMzK0xZV2t6YmxpVEFpRUF5ZXFtZWVMUgpoL0E0Y2w4YXZzc1QyaVpEOWhISXpGWE5XNjF5aUxqR0NaYz0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==';

const container = { name: 'c', image: 'registry.example/parity:1' };
const template = { metadata: { labels: { app: 'parity' } }, spec: { containers: [container] } };
const condition = (type: string, reason: string, message: string): Json => ({ type, status: 'True', reason, message });

export const KIND_CASES: readonly KindCase[] = [
  {
    group: '',
    resource: 'pods',
    object: () => ({ spec: { automountServiceAccountToken: false, containers: [container] } }),
    update: (pod) => ({ ...pod, spec: { ...pod.spec, containers: [{ ...pod.spec.containers[0], image: 'registry.example/parity:2' }] } }),
    status: (step) => ({ phase: 'Pending', message: `parity step ${step}` }),
    actions: {
      createBinding: { target: { kind: 'Node', name: 'parity-node' } },
      createEviction: { deleteOptions: { gracePeriodSeconds: 0 } },
    },
  },
  {
    group: 'apps',
    resource: 'deployments',
    object: () => ({ spec: { replicas: 1, selector: { matchLabels: { app: 'parity' } }, template } }),
    update: (d) => ({ ...d, spec: { ...d.spec, minReadySeconds: 5 } }),
    status: (step) => ({ observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: step > 0 ? 1 : 0, availableReplicas: 0, unavailableReplicas: step }),
  },
  {
    group: 'autoscaling',
    resource: 'horizontalpodautoscalers',
    object: () => ({ spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3 } }),
    update: (h) => ({ ...h, spec: { ...h.spec, maxReplicas: 5 } }),
    status: (step) => ({ currentReplicas: 1 + step, desiredReplicas: 1 + step }),
  },
  {
    group: 'batch',
    resource: 'jobs',
    object: () => ({ spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [container] } } } }),
    update: (j) => ({ ...j, spec: { ...j.spec, parallelism: 2 } }),
    status: (step) => ({ ready: 0, terminating: step }),
  },
  {
    group: 'authentication.k8s.io',
    resource: 'tokenreviews',
    object: (f) => ({ spec: { token: f.token } }),
    checkReview: (reply, f) => {
      assert.equal(reply.status?.authenticated, true, JSON.stringify(reply));
      assert.equal(reply.status?.user?.username, `system:serviceaccount:${f.namespace}:${f.reviewer}`);
    },
    invalidReview: { body: '{"spec": 5}', reason: 'BadRequest' },
  },
  {
    group: 'authorization.k8s.io',
    resource: 'selfsubjectaccessreviews',
    object: (f) => ({ spec: { resourceAttributes: { namespace: f.namespace, verb: 'get', resource: 'pods' } } }),
    checkReview: (reply) => assert.equal(reply.status?.allowed, true, JSON.stringify(reply)),
    invalidReview: { body: { spec: {} }, reason: 'Invalid' },
  },
  {
    group: 'rbac.authorization.k8s.io',
    resource: 'roles',
    object: () => ({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
    update: (r) => ({ ...r, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] }),
    // RBAC names are path segments: Not_Valid is a valid one.
    invalid: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: [] }] },
  },
  { group: 'scheduling.k8s.io', resource: 'priorityclasses', object: () => ({ value: 1000, description: 'parity' }), update: (p) => ({ ...p, description: 'parity, updated' }) },
  {
    group: 'coordination.k8s.io',
    resource: 'leases',
    object: () => ({ spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } }),
    update: (l) => ({ ...l, spec: { ...l.spec, holderIdentity: 'b' } }),
  },
  {
    group: 'certificates.k8s.io',
    resource: 'certificatesigningrequests',
    object: () => ({ spec: { request: CSR_PEM, signerName: 'example.com/parity', usages: ['digital signature'] } }),
    // CertificateSigningRequest names are path segments: Not_Valid is a valid one.
    invalid: { spec: { request: CSR_PEM, signerName: 'no-domain', usages: ['digital signature'] } },
    status: (step) => ({ conditions: [condition('Failed', 'ParityFailed', `parity step ${step}`)] }),
    approval: (step, csr) => ({
      conditions: [...((csr.status?.conditions ?? []) as Json[]).filter((c) => c.type !== 'Approved'), condition('Approved', 'ParityApproved', `parity step ${step}`)],
    }),
  },
  {
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    object: () => ({
      webhooks: [
        {
          name: 'parity.example.com',
          clientConfig: { url: 'https://127.0.0.1:1/never' },
          rules: [{ operations: ['CREATE'], apiGroups: ['parity.example.com'], apiVersions: ['v1'], resources: ['nothing'] }],
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          failurePolicy: 'Ignore',
        },
      ],
    }),
    update: (w) => ({ ...w, webhooks: [{ ...w.webhooks[0], timeoutSeconds: 3 }] }),
  },
  {
    group: 'policy',
    resource: 'poddisruptionbudgets',
    object: () => ({ spec: { minAvailable: 1, selector: { matchLabels: { app: 'parity' } } } }),
    update: (p) => ({ ...p, spec: { ...p.spec, minAvailable: 2 } }),
    status: (step) => ({ observedGeneration: 1, currentHealthy: step, desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: step }),
  },
  {
    group: 'events.k8s.io',
    resource: 'events',
    object: ({ namespace }) => ({
      eventTime: '2026-01-02T03:04:05.123456Z',
      reportingController: 'example.com/parity',
      reportingInstance: 'parity-1',
      action: 'Testing',
      reason: 'Parity',
      type: 'Normal',
      regarding: { kind: 'Pod', namespace, name: 'somepod', apiVersion: 'v1' },
      note: 'first',
    }),
    update: (e) => ({ ...e, series: { count: 2, lastObservedTime: '2026-01-02T03:04:06.000000Z' } }),
  },
  {
    group: 'networking.k8s.io',
    resource: 'ingresses',
    object: () => ({ spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } }),
    update: (i) => ({ ...i, spec: { ...i.spec, ingressClassName: 'parity' } }),
    status: (step) => ({ loadBalancer: { ingress: [{ ip: `10.0.0.${10 + step}` }] } }),
  },
  {
    group: 'discovery.k8s.io',
    resource: 'endpointslices',
    object: () => ({ addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    update: (s) => ({ ...s, endpoints: [{ addresses: ['10.0.0.2'], conditions: { ready: true } }] }),
  },
  { group: 'node.k8s.io', resource: 'runtimeclasses', object: () => ({ handler: 'runc' }) },
  { group: 'storage.k8s.io', resource: 'storageclasses', object: () => ({ provisioner: 'example.com/parity', parameters: { tier: 'gold' }, reclaimPolicy: 'Delete' }) },
  {
    group: 'flowcontrol.apiserver.k8s.io',
    resource: 'prioritylevelconfigurations',
    object: () => ({ spec: { type: 'Limited', limited: { nominalConcurrencyShares: 5, limitResponse: { type: 'Reject' } } } }),
    update: (p) => ({ ...p, spec: { ...p.spec, limited: { ...p.spec.limited, nominalConcurrencyShares: 7 } } }),
    status: (step) => ({ conditions: [{ type: 'ParityCondition', status: 'True', reason: 'Parity', message: `parity step ${step}` }] }),
  },
];
