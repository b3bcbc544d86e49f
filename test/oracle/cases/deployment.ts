/**
 * Deployment: containers keyed by name, their ports by containerPort+protocol (protocol
 * defaulting to TCP), env by name, volumeMounts by mountPath; args atomic; the label
 * selector; strategy; replicas as a scaler and an HPA change it.
 */
import { apply, from, object, seq, update, type OracleSuite } from './steps.js';

type Obj = Record<string, unknown>;

function deploy(spec: Obj, metadata: Obj = {}): Obj {
  return object('apps/v1', 'Deployment', 'web', { spec }, metadata);
}

/** A Deployment spec with a pod template; `podSpec` is the template's spec. */
function spec(podSpec: Obj, rest: Obj = {}): Obj {
  return {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
    ...rest,
  };
}

function c(name: string, image: string, rest: Obj = {}): Obj {
  return { name, image, ...rest };
}

/** Only the containers: what a second applier owning a sidecar sends. */
function containersOnly(...containers: Obj[]): Obj {
  return deploy({ template: { spec: { containers } } });
}

const nginx = c('nginx', 'nginx:1.25', { ports: [{ containerPort: 80 }] });

export const deploymentSuite: OracleSuite = {
  name: 'Deployment',
  schema: { message: 'k8s.io.api.apps.v1.Deployment' },
  cases: [
    seq('deploy: one applier creates', apply('a', deploy(spec({ containers: [nginx] }, { replicas: 3 })))),
    seq('deploy: re-apply is a no-op', apply('a', deploy(spec({ containers: [nginx] }))), apply('a', deploy(spec({ containers: [nginx] })))),
    seq(
      'deploy: a second applier adds a sidecar container',
      apply('a', deploy(spec({ containers: [nginx] }))),
      apply('b', containersOnly(c('sidecar', 'envoy:1'))),
      apply('a', deploy(spec({ containers: [nginx] }))),
    ),
    seq(
      'deploy: a second applier changing a container image conflicts',
      apply('a', deploy(spec({ containers: [nginx] }))),
      apply('b', containersOnly(c('nginx', 'nginx:1.26'))),
    ),
    seq(
      'deploy: force takes the image; the first applier then drops it',
      apply('a', deploy(spec({ containers: [nginx] }))),
      apply('b', containersOnly(c('nginx', 'nginx:1.26')), true),
      apply('a', deploy(spec({ containers: [{ name: 'nginx', ports: [{ containerPort: 80 }] }] }))),
    ),
    seq(
      'deploy: a container the applier alone owns is pruned',
      apply('a', deploy(spec({ containers: [nginx, c('log', 'busybox')] }))),
      apply('a', deploy(spec({ containers: [nginx] }))),
    ),
    seq(
      'deploy: a container another applier shares is kept',
      apply('a', deploy(spec({ containers: [nginx, c('log', 'busybox')] }))),
      apply('b', containersOnly(c('log', 'busybox'))),
      apply('a', deploy(spec({ containers: [nginx] }))),
    ),
    seq(
      'deploy: env vars from two appliers in one container',
      apply('a', deploy(spec({ containers: [c('nginx', 'nginx:1.25', { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] })] }))),
      apply('b', containersOnly({ name: 'nginx', env: [{ name: 'C', value: '3' }] })),
      apply('a', deploy(spec({ containers: [c('nginx', 'nginx:1.25', { env: [{ name: 'A', value: '1' }] })] }))),
    ),
    seq(
      'deploy: env value conflict, then forced',
      apply('a', deploy(spec({ containers: [c('nginx', 'nginx:1.25', { env: [{ name: 'A', value: '1' }] })] }))),
      apply('b', containersOnly({ name: 'nginx', env: [{ name: 'A', value: '2' }] })),
      apply('b', containersOnly({ name: 'nginx', env: [{ name: 'A', value: '2' }] }), true),
    ),
    seq(
      'deploy: a port without protocol and one with TCP are the same element',
      apply('a', deploy(spec({ containers: [c('nginx', 'nginx:1.25', { ports: [{ containerPort: 80 }] })] }))),
      apply('b', containersOnly({ name: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] })),
    ),
    seq(
      'deploy: the same containerPort over UDP is another element',
      apply('a', deploy(spec({ containers: [c('dns', 'coredns', { ports: [{ containerPort: 53, protocol: 'TCP' }] })] }))),
      apply('b', containersOnly({ name: 'dns', ports: [{ containerPort: 53, protocol: 'UDP' }] })),
      apply('a', deploy(spec({ containers: [c('dns', 'coredns')] }))),
    ),
    seq(
      'deploy: a scaler updates replicas, and the applier conflicts on it',
      apply('a', deploy(spec({ containers: [nginx] }, { replicas: 3 }))),
      update('kubectl-scale', deploy(spec({ containers: [nginx] }, { replicas: 5 }))),
      apply('a', deploy(spec({ containers: [nginx] }, { replicas: 3 }))),
    ),
    seq(
      'deploy: dropping replicas after a scaler took them keeps the value',
      apply('a', deploy(spec({ containers: [nginx] }, { replicas: 3 }))),
      update('hpa', deploy(spec({ containers: [nginx] }, { replicas: 7 }))),
      apply('a', deploy(spec({ containers: [nginx] }))),
    ),
    seq(
      'deploy: dropping replicas one still owns prunes them',
      apply('a', deploy(spec({ containers: [nginx] }, { replicas: 3 }))),
      apply('a', deploy(spec({ containers: [nginx] }))),
    ),
    seq(
      'deploy: another selector conflicts',
      apply('a', deploy(spec({ containers: [nginx] }))),
      apply('b', deploy({ selector: { matchLabels: { app: 'web', track: 'canary' } } })),
      apply('b', deploy({ selector: { matchLabels: { app: 'web', track: 'canary' } } }), true),
    ),
    seq(
      'deploy: switching strategy to Recreate prunes rollingUpdate',
      apply('a', deploy(spec({ containers: [nginx] }, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } } }))),
      apply('a', deploy(spec({ containers: [nginx] }, { strategy: { type: 'Recreate' } }))),
    ),
    seq(
      'deploy: volumeMounts keyed by mountPath inside containers',
      apply('a', deploy(spec({ containers: [c('app', 'app:1', { volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'data', mountPath: '/data' }] })], volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'data', emptyDir: {} }] }))),
      apply('b', containersOnly({ name: 'app', volumeMounts: [{ name: 'cache', mountPath: '/cache' }] })),
      apply('a', deploy(spec({ containers: [c('app', 'app:1', { volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }] })], volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }] }))),
    ),
    seq(
      'deploy: an update removing a container takes it from the applier',
      apply('a', deploy(spec({ containers: [nginx, c('log', 'busybox')] }))),
      update('editor', deploy(spec({ containers: [nginx] }))),
      apply('a', deploy(spec({ containers: [nginx, c('log', 'busybox')] }))),
    ),
    seq(
      'deploy: re-applying containers in another order',
      apply('a', deploy(spec({ containers: [c('one', 'x'), c('two', 'y'), c('three', 'z')] }))),
      apply('b', containersOnly(c('four', 'w'))),
      apply('a', deploy(spec({ containers: [c('three', 'z'), c('one', 'x'), c('two', 'y')] }))),
    ),
    seq(
      'deploy: args are atomic',
      apply('a', deploy(spec({ containers: [c('app', 'app:1', { args: ['--port', '80'] })] }))),
      apply('b', containersOnly({ name: 'app', args: ['--port', '8080'] })),
      apply('b', containersOnly({ name: 'app', args: ['--port', '8080'] }), true),
      apply('a', deploy(spec({ containers: [c('app', 'app:1')] }))),
    ),
    seq(
      'deploy: an updater replacing args, then an applier conflicts with it',
      apply('a', deploy(spec({ containers: [c('app', 'app:1', { args: ['a'] })] }))),
      update('editor', deploy(spec({ containers: [c('app', 'app:1', { args: ['a', 'b'] })] }))),
      apply('a', deploy(spec({ containers: [c('app', 'app:1', { args: ['a'] })] }))),
    ),
    seq(
      'deploy: resource limits are granular',
      apply('a', deploy(spec({ containers: [c('app', 'app:1', { resources: { limits: { cpu: '1', memory: '1Gi' } } })] }))),
      apply('b', containersOnly({ name: 'app', resources: { limits: { cpu: '1' }, requests: { cpu: '500m' } } })),
      apply('a', deploy(spec({ containers: [c('app', 'app:1')] }))),
    ),
    seq(
      'deploy: template labels and annotations',
      apply('a', deploy(spec({ containers: [nginx] }))),
      apply('b', deploy({ template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-01-01T00:00:00Z' } } } })),
      apply('b', deploy({ template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-01-02T00:00:00Z' } } } })),
    ),
    seq(
      'deploy: removing a container whose image an updater changed',
      apply('a', deploy(spec({ containers: [nginx, c('log', 'busybox', { args: ['-f'] })] }))),
      update('editor', deploy(spec({ containers: [nginx, c('log', 'busybox:2', { args: ['-f'] })] }))),
      apply('a', deploy(spec({ containers: [nginx] }))),
    ),
    seq(
      'deploy: three appliers on one container\'s env, one forcing',
      apply('a', deploy(spec({ containers: [c('app', 'app:1', { env: [{ name: 'A', value: '1' }, { name: 'S', value: 's' }] })] }))),
      apply('b', containersOnly({ name: 'app', env: [{ name: 'B', value: '2' }, { name: 'S', value: 's' }] })),
      apply('c', containersOnly({ name: 'app', env: [{ name: 'A', value: 'c' }, { name: 'B', value: 'c' }, { name: 'S', value: 'c' }] })),
      apply('c', containersOnly({ name: 'app', env: [{ name: 'A', value: 'c' }, { name: 'B', value: 'c' }, { name: 'S', value: 'c' }] }), true),
      apply('b', containersOnly({ name: 'app' })),
    ),
    seq(
      'deploy: an env var with a null value and valueFrom',
      apply('a', deploy(spec({ containers: [c('app', 'app:1', { env: [{ name: 'A', value: null }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })] }))),
      apply('b', containersOnly({ name: 'app', env: [{ name: 'A', value: 'set' }] })),
      apply('a', deploy(spec({ containers: [c('app', 'app:1', { env: [{ name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }] })] }))),
    ),
    seq(
      'deploy: an applier adding containers around ones another owns',
      apply('a', deploy(spec({ containers: [c('two', 'x')] }))),
      apply('b', containersOnly(c('one', 'y'), c('two', 'x'), c('three', 'z'))),
      apply('a', deploy(spec({ containers: [c('zero', 'w'), c('two', 'x')] }))),
    ),
    seq(
      'deploy: an applier emptying a struct a controller also set',
      apply('a', deploy(spec({ containers: [nginx] }, { strategy: { rollingUpdate: { maxSurge: 1 } } }))),
      update('controller', deploy(spec({ containers: [nginx] }, { strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }))),
      apply('a', deploy(spec({ containers: [nginx] }, { strategy: {} }))),
    ),
    seq(
      'deploy: an applier nulling a struct a controller also set',
      apply('a', deploy(spec({ containers: [nginx] }, { strategy: { rollingUpdate: { maxSurge: 1 } } }))),
      update('controller', deploy(spec({ containers: [nginx] }, { strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }))),
      apply('a', deploy(spec({ containers: [nginx] }, { strategy: null }))),
    ),
    seq(
      'deploy: dropping a container whose env another applier and a controller extend',
      apply('one', deploy(spec({ containers: [c('a', 'x'), c('b', 'y', { env: [{ name: 'C', value: 'c' }] })] }))),
      apply('two', containersOnly({ name: 'b', env: [{ name: 'D', value: 'd' }] })),
      update('controller', deploy(spec({ containers: [c('a', 'x'), c('b', 'y', { env: [{ name: 'C', value: 'c' }, { name: 'D', value: 'd' }, { name: 'E', value: 'e' }] })] }))),
      apply('one', deploy(spec({ containers: [c('a', 'x')] }))),
    ),
    from(
      deploy(spec({ containers: [c('app', 'app:1', { imagePullPolicy: 'Always', ports: [{ containerPort: 80, protocol: 'TCP' }] }), c('log', 'busybox')] }, { replicas: 2 })),
      'deploy: applying over an object nobody owns, then dropping a container',
      apply('a', deploy(spec({ containers: [c('app', 'app:2'), c('log', 'busybox')] }))),
      apply('a', deploy(spec({ containers: [c('app', 'app:2')] }))),
      apply('a', deploy({ selector: { matchLabels: { app: 'web' } } })),
    ),
    seq(
      'deploy: an update only reordering containers and args',
      apply('a', deploy(spec({ containers: [c('one', 'x', { args: ['1', '2'] }), c('two', 'y')] }))),
      update('editor', deploy(spec({ containers: [c('two', 'y'), c('one', 'x', { args: ['2', '1'] })] }))),
      apply('a', deploy(spec({ containers: [c('one', 'x', { args: ['1', '2'] }), c('two', 'y')] }))),
    ),
    seq(
      'deploy: zero values are values',
      apply('a', deploy(spec({ containers: [nginx] }, { replicas: 0, paused: false, minReadySeconds: 0 }))),
      apply('b', deploy({ replicas: 1, paused: false })),
      apply('b', deploy({ replicas: 1, paused: false }), true),
      apply('a', deploy(spec({ containers: [nginx] }))),
    ),
  ],
};
