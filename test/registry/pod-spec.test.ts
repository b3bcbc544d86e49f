import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultImagePullPolicy,
  defaultPodSpec,
  defaultPodTemplate,
  podQosClass,
  validatePodSpec,
} from '../../src/registry/core/pod-spec.js';
import { render } from './harness.js';

describe('pod spec defaults', () => {
  it('chooses the image pull policy from the tag', () => {
    assert.equal(defaultImagePullPolicy('nginx'), 'Always');
    assert.equal(defaultImagePullPolicy('nginx:latest'), 'Always');
    assert.equal(defaultImagePullPolicy('nginx:1.25'), 'IfNotPresent');
    assert.equal(defaultImagePullPolicy('localhost:5000/app'), 'Always');
    assert.equal(defaultImagePullPolicy('localhost:5000/app:v1'), 'IfNotPresent');
    assert.equal(defaultImagePullPolicy('nginx@sha256:abc'), 'IfNotPresent');
  });

  it('defaults the spec, containers, ports, probes and volumes as upstream', () => {
    const spec: Record<string, unknown> = {
      containers: [
        {
          name: 'c',
          image: 'busybox:1.36',
          ports: [{ containerPort: 80 }],
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          livenessProbe: { httpGet: { port: 80 } },
        },
      ],
      volumes: [{ name: 'v' }, { name: 's', secret: { secretName: 'x' } }, { name: 'cm', configMap: { name: 'y' } }],
    };
    defaultPodSpec(spec);
    assert.deepEqual(spec, {
      containers: [
        {
          name: 'c',
          image: 'busybox:1.36',
          imagePullPolicy: 'IfNotPresent',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          resources: {},
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }],
          livenessProbe: {
            httpGet: { port: 80, path: '/', scheme: 'HTTP' },
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
        },
      ],
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 's', secret: { secretName: 'x', defaultMode: 420 } },
        { name: 'cm', configMap: { name: 'y', defaultMode: 420 } },
      ],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
    });
  });

  it('keeps explicit values and mirrors serviceAccountName', () => {
    const spec: Record<string, unknown> = { restartPolicy: 'Never', serviceAccountName: 'robot', containers: [] };
    defaultPodSpec(spec);
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.serviceAccount, 'robot');
  });

  it('defaults a template without spec', () => {
    const template: Record<string, unknown> = {};
    defaultPodTemplate(template);
    assert.equal((template.spec as Record<string, unknown>).restartPolicy, 'Always');
  });
});

describe('qos class', () => {
  const withResources = (...rs: object[]): Record<string, unknown> => ({ containers: rs.map((resources, i) => ({ name: `c${i}`, resources })) });
  it('is BestEffort without requests or limits', () => {
    assert.equal(podQosClass(withResources({})), 'BestEffort');
  });
  it('is Guaranteed when limits equal requests for cpu and memory', () => {
    assert.equal(podQosClass(withResources({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1Gi' } })), 'Guaranteed');
    assert.equal(podQosClass(withResources({ limits: { cpu: '1', memory: '1Gi' } })), 'Guaranteed');
  });
  it('is Burstable otherwise', () => {
    assert.equal(podQosClass(withResources({ requests: { cpu: '100m' } })), 'Burstable');
    assert.equal(podQosClass(withResources({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } })), 'Burstable');
  });
});

describe('pod spec validation', () => {
  it('requires containers', () => {
    assert.deepEqual(render(validatePodSpec({}, 'spec')), ['spec.containers: Required value']);
  });

  it('checks container names, duplicates and images', () => {
    const errs = render(
      validatePodSpec({ containers: [{ name: 'Web', image: 'x' }, { name: 'a' }, { name: 'a', image: 'y' }, { image: 'z' }] }, 'spec'),
    );
    assert.deepEqual(errs, [
      `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      'spec.containers[1].image: Required value',
      'spec.containers[2].name: Duplicate value: "a"',
      'spec.containers[3].name: Required value',
    ]);
  });

  it('checks ports and enumerations', () => {
    const errs = render(
      validatePodSpec(
        {
          restartPolicy: 'Sometimes',
          containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Maybe', ports: [{ containerPort: 70000, protocol: 'HTTP' }] }],
        },
        'spec',
      ),
    );
    assert.deepEqual(errs, [
      'spec.containers[0].imagePullPolicy: Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"',
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it('rejects requests above limits', () => {
    const errs = render(
      validatePodSpec({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '500m' }, requests: { cpu: '1' } } }] }, 'spec'),
    );
    assert.deepEqual(errs, ['spec.containers[0].resources.requests[cpu]: Invalid value: "1": must be less than or equal to cpu limit of 500m']);
  });
});
