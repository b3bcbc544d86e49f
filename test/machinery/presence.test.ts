/**
 * Go-faithful field presence in Kubernetes JSON: zero values of plain (omitempty)
 * Go fields are omitted, Go pointer fields (`nullable`) keep a set zero, and
 * fields without omitempty (`emitEmpty`) are always written. Also checks that
 * the generated schema carries the flags, and that quantities come out canonical.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeProtobufObject,
  encodeProtobufObject,
  getMessagePlan,
  kubeJsonToMessage,
  messageToKubeJson,
  normalizeKubeJson,
  SchemaDecodeError,
} from '../../src/machinery/schema/index.js';

const CORE = 'k8s.io.api.core.v1';
const DEPLOYMENT = 'k8s.io.api.apps.v1.Deployment';
const POD = `${CORE}.Pod`;

function field(typeName: string, json: string): { nullable?: boolean; emitEmpty?: boolean } {
  const f = getMessagePlan(typeName).fields.find((x) => x.json === json);
  assert.ok(f, `${typeName}.${json} is missing`);
  return f.schema;
}

/** Through the protobuf wire form, as a Go client's body arrives. */
function viaProtobuf(typeName: string, message: Record<string, unknown>): Record<string, unknown> {
  return decodeProtobufObject(typeName, encodeProtobufObject(typeName, message)) as Record<string, unknown>;
}

describe('generated schema flags', () => {
  it('marks Go pointers nullable and fields without omitempty emitEmpty', () => {
    assert.equal(field('k8s.io.api.apps.v1.DeploymentSpec', 'replicas').nullable, true);
    assert.equal(field('k8s.io.api.apps.v1.DeploymentSpec', 'revisionHistoryLimit').nullable, true);
    assert.equal(field('k8s.io.api.apps.v1.DeploymentSpec', 'minReadySeconds').nullable, undefined);
    assert.equal(field('k8s.io.api.apps.v1.DeploymentSpec', 'paused').nullable, undefined);
    assert.equal(field(`${CORE}.SecurityContext`, 'runAsUser').nullable, true);
    assert.equal(field(`${CORE}.ConfigMap`, 'immutable').nullable, true);
    assert.equal(field(`${CORE}.Probe`, 'periodSeconds').nullable, undefined);
    assert.equal(field(`${CORE}.ContainerPort`, 'containerPort').emitEmpty, true);
    assert.equal(field(`${CORE}.ContainerPort`, 'hostPort').emitEmpty, undefined);
    assert.equal(field(`${CORE}.ContainerStatus`, 'ready').emitEmpty, true);
  });
});

describe('zero values from a Go client (protobuf body)', () => {
  // What kubectl >= 1.32 sends for `kubectl create deployment web --image=nginx --replicas=0`:
  // every non-pointer field is written, pointer fields only when set.
  const sent = {
    metadata: { name: 'web', generateName: '', namespace: '', generation: 0, labels: { app: 'web' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [] },
      template: {
        metadata: { name: '', labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx',
              workingDir: '',
              resources: {},
              terminationMessagePath: '',
              terminationMessagePolicy: '',
              imagePullPolicy: '',
              stdin: false,
              stdinOnce: false,
              tty: false,
            },
          ],
          restartPolicy: '',
          dnsPolicy: '',
          serviceAccountName: '',
          serviceAccount: '',
          nodeName: '',
          hostNetwork: false,
          hostPID: false,
          hostIPC: false,
          hostname: '',
          subdomain: '',
          schedulerName: '',
          priorityClassName: '',
        },
      },
      strategy: { type: '' },
      minReadySeconds: 0,
      paused: false,
    },
    status: { observedGeneration: 0, replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 0 },
  };

  it('writes the Deployment as kube-apiserver does: no paused, no minReadySeconds, replicas: 0 kept', () => {
    const json = messageToKubeJson(DEPLOYMENT, viaProtobuf(DEPLOYMENT, sent));
    assert.deepEqual(json, {
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('keeps a Pod securityContext.runAsUser of 0 (root) and other set pointer zeros', () => {
    const pod = {
      spec: {
        containers: [{ name: 'c', securityContext: { runAsUser: 0, privileged: false, allowPrivilegeEscalation: false } }],
        securityContext: { runAsUser: 0, runAsNonRoot: false, fsGroup: 0 },
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
        hostNetwork: false,
      },
    };
    assert.deepEqual(messageToKubeJson(POD, viaProtobuf(POD, pod)), {
      spec: {
        containers: [{ name: 'c', securityContext: { runAsUser: 0, privileged: false, allowPrivilegeEscalation: false } }],
        securityContext: { runAsUser: 0, runAsNonRoot: false, fsGroup: 0 },
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
      },
    });
  });
});

describe('zero values in JSON input', () => {
  it('omits zero omitempty fields and keeps set pointer zeros', () => {
    const { object } = normalizeKubeJson(DEPLOYMENT, {
      spec: { replicas: 0, minReadySeconds: 0, paused: false, revisionHistoryLimit: 0, progressDeadlineSeconds: 600 },
    });
    assert.deepEqual(object, { spec: { replicas: 0, revisionHistoryLimit: 0, progressDeadlineSeconds: 600 } });
  });

  it('keeps a set empty string in a Go *string field (storageClassName: "" means no class)', () => {
    const { object } = normalizeKubeJson(`${CORE}.PersistentVolumeClaimSpec`, { storageClassName: '', volumeName: '' });
    assert.deepEqual(object, { storageClassName: '' });
  });

  it('keeps ConfigMap immutable: false and key selector optional: false', () => {
    assert.deepEqual(normalizeKubeJson(`${CORE}.ConfigMap`, { immutable: false }).object, { immutable: false });
    const env = { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: false } } };
    assert.deepEqual(normalizeKubeJson(`${CORE}.EnvVar`, env).object, env);
  });

  it('always writes fields Go declares without omitempty, even unset', () => {
    const { object } = normalizeKubeJson(POD, {
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 0, hostPort: 0 }] }] },
      status: { containerStatuses: [{ name: 'c' }] },
    });
    assert.deepEqual(object, {
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 0 }] }] },
      status: { containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '' }] },
    });
  });

  it('treats null as unset, even for pointer fields', () => {
    assert.deepEqual(normalizeKubeJson(DEPLOYMENT, { spec: { replicas: null } }).object, { spec: {} });
  });
});

describe('resource.Quantity in the codec', () => {
  it('canonicalizes quantities from JSON strings and numbers', () => {
    const { object } = normalizeKubeJson(`${CORE}.ResourceRequirements`, {
      limits: { cpu: '1000m', memory: '1024Mi' },
      requests: { cpu: 0.5, memory: 1000 },
    });
    assert.deepEqual(object, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1k' } });
  });

  it('canonicalizes quantities that arrive in protobuf', () => {
    const json = messageToKubeJson(`${CORE}.ResourceRequirements`, viaProtobuf(`${CORE}.ResourceRequirements`, {
      limits: { cpu: { string: '2000m' } },
      requests: {},
    }));
    assert.deepEqual(json, { limits: { cpu: '2' } });
  });

  it('stores the canonical text, so protobuf carries it too', () => {
    const { message } = kubeJsonToMessage(`${CORE}.EmptyDirVolumeSource`, { sizeLimit: '0.5Gi' });
    assert.deepEqual(message.sizeLimit, { string: '512Mi' });
  });

  it('rejects an invalid quantity with upstream message and path', () => {
    assert.throws(
      () => kubeJsonToMessage(POD, { spec: { containers: [{ name: 'c', resources: { limits: { cpu: 'lots' } } }] } }),
      (err: unknown) =>
        err instanceof SchemaDecodeError &&
        err.message === "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" &&
        err.path === 'spec.containers.resources.limits',
    );
    assert.throws(() => kubeJsonToMessage(`${CORE}.EmptyDirVolumeSource`, { sizeLimit: '1iK' }), {
      name: 'SchemaDecodeError',
      message: "unable to parse quantity's suffix",
    });
    assert.throws(() => kubeJsonToMessage(`${CORE}.EmptyDirVolumeSource`, { sizeLimit: true }), {
      name: 'SchemaDecodeError',
      message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    });
  });
});
